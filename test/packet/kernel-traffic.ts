// Traffic for the kernel-capture test, run inside a namespace with `ip netns exec`:
//   node kernel-traffic.js server            TCP 8080 and UDP 5353 (v4 + v6) until stdin closes
//   node kernel-traffic.js client V4 V6 SRC4 SRC6   ICMP + ICMPv6 echo, TCP, UDP, crafted UDP/SYN, closed port
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { buildPacket } from '../../src/packet/index.js';
import { openRawSocket, sendRaw } from '../../netns/agent/sctp/raw-socket.js';

const TCP_PORT = 8080;
const UDP_PORT = 5353;

async function server(): Promise<void> {
  const tcp = createServer((s) => {
    s.on('error', () => {});
    s.end('hello from server');
  });
  tcp.listen(TCP_PORT, '::');
  await once(tcp, 'listening');
  const udp4 = createSocket('udp4');
  const udp6 = createSocket({ type: 'udp6', ipv6Only: true });
  for (const u of [udp4, udp6]) {
    u.on('message', (msg, rinfo) => u.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    u.bind(UDP_PORT);
    await once(u, 'listening');
  }
  process.stdout.write('ready\n');
  process.stdin.resume();
  await once(process.stdin, 'end');
  tcp.close();
  udp4.close();
  udp6.close();
}

// Raw sockets stay open until exit: closing one and at once opening the next made a send
// hang now and then (raw-socket closes the fd before libuv has released its poll handle).
const rawSockets = new Map<string, ReturnType<typeof openRawSocket>>();
function rawSocket(family: 4 | 6, protocol: number): ReturnType<typeof openRawSocket> {
  const key = `${family}/${protocol}`;
  let s = rawSockets.get(key);
  if (!s) {
    s = openRawSocket(family, protocol);
    rawSockets.set(key, s);
  }
  return s;
}

function withTimeout<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);
}

async function echo(family: 4 | 6, address: string): Promise<void> {
  const socket = rawSocket(family, family === 4 ? 1 : 58);
  const id = 0x4242;
  const reply = new Promise<void>((resolve) => {
    socket.on('message', (buf) => {
      // IPv4 raw sockets hand over the IP header too; IPv6 ones do not.
      const icmp = family === 4 ? buf.subarray((buf[0]! & 15) * 4) : buf;
      const replyType = family === 4 ? 0 : 129;
      if (icmp[0] === replyType && icmp.readUInt16BE(4) === id) resolve();
    });
  });
  const data = Buffer.from('fastpath echo payload');
  // The kernel fills the ICMPv6 checksum of a raw socket; ours is computed for ICMP.
  const msg =
    family === 4
      ? buildPacket([
          { type: 'icmp', icmpType: 'echo-request', id, seq: 1 },
          { type: 'payload', data },
        ])
      : buildPacket([
          { type: 'icmpv6', icmpType: 'echo-request', id, seq: 1, checksum: 0 },
          { type: 'payload', data },
        ]);
  await sendRaw(socket, msg, address);
  await withTimeout(reply, `icmp echo v${family}`);
}

async function tcp(address: string): Promise<void> {
  const s = connect(TCP_PORT, address);
  let got = '';
  s.on('data', (d) => {
    got += d.toString();
  });
  await withTimeout(once(s, 'end'), `tcp ${address}`);
  s.end();
  await once(s, 'close');
  if (got !== 'hello from server') throw new Error(`tcp ${address}: got '${got}'`);
}

async function udp(family: 4 | 6, address: string): Promise<void> {
  const u = createSocket(family === 4 ? 'udp4' : 'udp6');
  const reply = once(u, 'message');
  u.send(Buffer.from('ping'), UDP_PORT, address);
  const [msg] = (await withTimeout(reply, `udp ${address}`)) as [Buffer];
  u.close();
  if (msg.toString() !== 'echo:ping') throw new Error(`udp ${address}: got '${msg.toString()}'`);
}

/**
 * UDP and a TCP SYN whose checksums are ours (raw socket, no offload): the receiving kernel
 * verifies them, so an answer proves them right.
 */
async function crafted(family: 4 | 6, src: string, dst: string): Promise<void> {
  const ipLayer = family === 4 ? { type: 'ipv4' as const, src, dst } : { type: 'ipv6' as const, src, dst };
  const udpPort = 40000 + family;
  const u = createSocket(family === 4 ? 'udp4' : 'udp6');
  u.bind(udpPort);
  await once(u, 'listening');
  const answer = once(u, 'message');
  const udpSocket = rawSocket(family, 17);
  const datagram = buildPacket([
    ipLayer,
    { type: 'udp', sport: udpPort, dport: UDP_PORT },
    { type: 'payload', data: Buffer.from('crafted') },
  ]);
  await sendRaw(udpSocket, datagram.subarray(family === 4 ? 20 : 40), dst);
  const [msg] = (await withTimeout(answer, `crafted udp v${family}`)) as [Buffer];
  if (msg.toString() !== 'echo:crafted') throw new Error(`crafted udp v${family}: got '${msg.toString()}'`);
  u.close();

  const tcpPort = 41000 + family;
  const tcpSocket = rawSocket(family, 6);
  const synAck = new Promise<void>((resolve) => {
    tcpSocket.on('message', (buf) => {
      const seg = family === 4 ? buf.subarray((buf[0]! & 15) * 4) : buf;
      if (seg.readUInt16BE(0) === TCP_PORT && seg.readUInt16BE(2) === tcpPort && (seg[13]! & 0x12) === 0x12) resolve();
    });
  });
  const syn = buildPacket([
    ipLayer,
    {
      type: 'tcp',
      sport: tcpPort,
      dport: TCP_PORT,
      seq: 1000,
      flags: { syn: true },
      window: 8192,
      options: [{ kind: 'mss', value: 1400 }],
    },
  ]);
  await sendRaw(tcpSocket, syn.subarray(family === 4 ? 20 : 40), dst);
  await withTimeout(synAck, `crafted tcp syn v${family}`);
}

/** A datagram to a closed port: the kernel answers with an ICMP error quoting it. */
async function closedPort(family: 4 | 6, dst: string): Promise<void> {
  const u = createSocket(family === 4 ? 'udp4' : 'udp6');
  const failed = once(u, 'error');
  u.connect(9, dst);
  await once(u, 'connect');
  u.send(Buffer.from('nobody home'));
  await withTimeout(failed, `icmp port unreachable v${family}`);
  u.close();
}

let current = '';
async function step(name: string, run: () => Promise<void>): Promise<void> {
  current = name;
  await run();
}

async function client(v4: string, v6: string, srcV4: string, srcV6: string): Promise<void> {
  await step('echo 4, v4', () => echo(4, v4));
  await step('echo 6, v6', () => echo(6, v6));
  await step('tcp v4', () => tcp(v4));
  await step('tcp v6', () => tcp(v6));
  await step('udp 4, v4', () => udp(4, v4));
  await step('udp 6, v6', () => udp(6, v6));
  await step('crafted 4, srcV4, v4', () => crafted(4, srcV4, v4));
  await step('crafted 6, srcV6, v6', () => crafted(6, srcV6, v6));
  await step('closedPort 4, v4', () => closedPort(4, v4));
  await step('closedPort 6, v6', () => closedPort(6, v6));
  process.stdout.write('done\n');
}

const [mode, ...args] = process.argv.slice(2);
// Nothing left to wait for but the work is not done: say so instead of exiting 0.
process.on('beforeExit', () => {
  process.stderr.write(`event loop drained during ${current}\n`);
  process.exit(1);
});
(mode === 'server' ? server() : client(args[0]!, args[1]!, args[2]!, args[3]!)).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
