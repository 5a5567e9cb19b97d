// An SctpPeer in its own process (start it with `ip netns exec <ns> node run-peer.js --name N`),
// driven by JSON lines on stdin; answers and events are JSON lines on stdout:
//   {"id":1,"cmd":"listen","port":5000}              -> {"id":1,"ok":true}
//   {"id":2,"cmd":"connect","addr":"10.0.0.2","port":5000[,"localPort":40000]}  -> {"id":2,"ok":true,"result":{"assocId":1}}
//   {"id":3,"cmd":"send","assocId":1,"data":"hello"[,"streamId":0,"ppid":0]}
//   {"id":4,"cmd":"heartbeat","assocId":1}   {"id":5,"cmd":"shutdown","assocId":1} (answers once CLOSED)
//   {"id":6,"cmd":"abort","assocId":1}       {"id":7,"cmd":"status"}   {"id":8,"cmd":"exit"}
//   {"id":9,"cmd":"inject","addr":"10.0.0.2","hex":"1388..."}   (raw SCTP bytes, sent as they are)
// Events: {"event":"ready"}, {"event":"established","assocId":1}, {"event":"data","assocId":1,"data":"..."},
//         {"event":"closed","assocId":1,"reason":"shutdown"}, {"event":"heartbeat-ack","assocId":1}
import { createInterface } from 'node:readline';
import { SctpPeer } from './peer.js';

interface Command {
  id?: number;
  cmd?: string;
  port?: number;
  addr?: string;
  localPort?: number;
  assocId?: number;
  data?: string;
  streamId?: number;
  ppid?: number;
  hex?: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const write = (obj: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};

const peer = new SctpPeer({
  name: arg('name', 'sctp-peer'),
  config: { rtoMs: Number(arg('rto-ms', '500')), maxRetransmits: Number(arg('max-retransmits', '4')) },
});
peer.on('established', (e) => write({ event: 'established', ...e }));
peer.on('closed', (e) => write({ event: 'closed', ...e }));
peer.on('heartbeat-ack', (e) => write({ event: 'heartbeat-ack', ...e }));
peer.on('data', (e) =>
  write({ event: 'data', assocId: e.assocId, streamId: e.streamId, ppid: e.ppid, tsn: e.tsn, data: e.data.toString() }),
);
peer.on('error', (err) => write({ event: 'error', message: err.message }));

function need<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`${field}: missing`);
  return value;
}

async function run(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'listen':
      peer.listen(need(c.port, 'port'));
      return undefined;
    case 'connect': {
      const assocId = await peer.connect(
        need(c.addr, 'addr'),
        need(c.port, 'port'),
        c.localPort !== undefined ? { localPort: c.localPort } : {},
      );
      return { assocId };
    }
    case 'send':
      peer.send(need(c.assocId, 'assocId'), Buffer.from(need(c.data, 'data')), { streamId: c.streamId ?? 0, ppid: c.ppid ?? 0 });
      return undefined;
    case 'heartbeat':
      peer.heartbeat(need(c.assocId, 'assocId'));
      return undefined;
    case 'shutdown':
      return { reason: await peer.shutdown(need(c.assocId, 'assocId')) };
    case 'abort':
      peer.abort(need(c.assocId, 'assocId'));
      return undefined;
    case 'status':
      return { associations: peer.associations(), counters: peer.counters };
    case 'inject':
      await peer.inject(need(c.addr, 'addr'), Buffer.from(need(c.hex, 'hex'), 'hex'));
      return undefined;
    case 'exit':
      setImmediate(() => {
        void peer.close().then(() => process.exit(0));
      });
      return undefined;
    default:
      throw new Error(`cmd: unknown command '${c.cmd}'`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let c: Command;
  try {
    c = JSON.parse(line) as Command;
  } catch {
    write({ ok: false, error: `not JSON: ${line}` });
    return;
  }
  run(c).then(
    (result) => write({ id: c.id, ok: true, ...(result !== undefined ? { result } : {}) }),
    (err: Error) => write({ id: c.id, ok: false, error: err.message }),
  );
});
lines.on('close', () => {
  void peer.close().then(() => process.exit(0));
});
write({ event: 'ready' });
