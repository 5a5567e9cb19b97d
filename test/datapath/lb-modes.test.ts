// NAT rewrite bytes in both directions for every mode (DNAT, one-arm, full-NAT, DSR),
// TCP / UDP / SCTP, IPv4 and IPv6, in test-run mode. The expected frames come from the
// packet builder, which computes every checksum (IPv4, TCP/UDP pseudo-header, SCTP
// CRC32c): equal bytes are valid checksums.
import test from 'ava';
import type { Datapath, LbRule } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC } from './_setup.js';
import { BACKEND_NH_MAC, CLIENT_NH_MAC, OUT_MAC, type Proto, V4, V6, expectTc, loadLbDatapath, rule } from './_lb.js';

let dp: Datapath;
test.before(() => {
  dp = loadLbDatapath();
});
test.after.always(() => dp?.destroy());

interface Pkt {
  family: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  ttl: number;
  macs: [string, string];
}

function frame(proto: Proto, p: Pkt, phase: 'open' | 'reply'): Buffer {
  const l3: LayerSpec =
    p.family === 4
      ? { type: 'ipv4', src: p.src, dst: p.dst, ttl: p.ttl, id: 7 }
      : { type: 'ipv6', src: p.src, dst: p.dst, hopLimit: p.ttl };
  let l4: LayerSpec[];
  if (proto === 'tcp') {
    l4 = [
      phase === 'open'
        ? { type: 'tcp', sport: p.sport, dport: p.dport, seq: 100, ack: 0, flags: { syn: true } }
        : { type: 'tcp', sport: p.sport, dport: p.dport, seq: 900, ack: 101, flags: { syn: true, ack: true } },
    ];
  } else if (proto === 'udp') {
    l4 = [
      { type: 'udp', sport: p.sport, dport: p.dport },
      { type: 'payload', data: Buffer.from(phase) },
    ];
  } else {
    l4 = [
      phase === 'open'
        ? { type: 'sctp', sport: p.sport, dport: p.dport, vtag: 0, chunks: [{ type: 'init', initiateTag: 0x1111, initialTsn: 1 }] }
        : {
            type: 'sctp',
            sport: p.sport,
            dport: p.dport,
            vtag: 0x1111,
            chunks: [{ type: 'init-ack', initiateTag: 0x2222, initialTsn: 5, params: [{ type: 'cookie', data: Buffer.from('cookie!!') }] }],
          },
    ];
  }
  return buildPacket([{ type: 'eth', dst: p.macs[0], src: p.macs[1] }, l3, ...l4]);
}

const IN: [string, string] = [ROUTER_MAC, CLIENT_MAC];
const TO_BACKEND: [string, string] = [BACKEND_NH_MAC, OUT_MAC];
const TO_CLIENT: [string, string] = [CLIENT_NH_MAC, OUT_MAC];
const FULLNAT = { 4: '10.9.0.1', 6: 'fd00:1::99' };

const modes = ['dnat', 'onearm', 'fullnat', 'dsr'] as const;
for (const family of [4, 6] as const) {
  for (const mode of modes) {
    for (const proto of ['tcp', 'udp', 'sctp'] as const) {
      test.serial(`${mode} ${proto} IPv${family}: exact bytes both directions`, (t) => {
        const A = family === 4 ? V4 : V6;
        const snat = mode === 'onearm' ? A.snat : mode === 'fullnat' ? FULLNAT[family] : undefined;
        const r: LbRule = rule([A.eps[1]], { vip: A.vip, protocol: proto, mode, ...(snat ? { snatAddress: snat } : {}) });
        dp.flushConnections();
        dp.applyLb({ rules: [r] });
        try {
          const client = { family, src: A.client, dst: A.vip, sport: 40001, dport: 80, ttl: 64, macs: IN };
          if (mode === 'dsr') {
            // Only the MACs change: towards the endpoint's next hop, TTL kept.
            expectTc(t, dp, frame(proto, client, 'open'), frame(proto, { ...client, macs: TO_BACKEND }, 'open'), 'DSR forward');
            t.deepEqual(
              dp.connections().map((c) => c.flags),
              [['dsr']],
            );
            return;
          }
          const src = snat ?? A.client;
          expectTc(
            t,
            dp,
            frame(proto, client, 'open'),
            frame(proto, { ...client, src, dst: A.eps[1], dport: 8080, ttl: 63, macs: TO_BACKEND }, 'open'),
            `${mode} forward`,
          );
          const server = { family, src: A.eps[1], dst: src, sport: 8080, dport: 40001, ttl: 64, macs: IN };
          expectTc(
            t,
            dp,
            frame(proto, server, 'reply'),
            frame(proto, { ...server, src: A.vip, dst: A.client, sport: 80, ttl: 63, macs: TO_CLIENT }, 'reply'),
            `${mode} reply`,
          );
        } finally {
          dp.applyLb({ remove: [{ vip: A.vip, port: 80, protocol: proto }] });
        }
      });
    }
  }
}

test.serial('SCTP CRC32c after a port rewrite is right for long packets too (the bpf_loop part of the zero shift)', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([V4.eps[1]], { protocol: 'sctp' })] });
  try {
    for (const size of [0, 3, 60, 61, 1000, 1400]) {
      const p = (dst: string, dport: number, ttl: number, macs: [string, string]): Buffer =>
        buildPacket([
          { type: 'eth', dst: macs[0], src: macs[1] },
          { type: 'ipv4', src: V4.client, dst, ttl, id: 7 },
          {
            type: 'sctp',
            sport: 40002,
            dport,
            vtag: 0,
            chunks: [
              {
                type: 'init',
                initiateTag: 0x1111 + size,
                initialTsn: 1,
                params: size === 0 ? [] : [{ type: 'raw', code: 0x8008, data: Buffer.alloc(size, 0x5a) }],
              },
            ],
          },
        ]);
      expectTc(t, dp, p(V4.vip, 80, 64, IN), p(V4.eps[1], 8080, 63, TO_BACKEND), `INIT with ${size} parameter bytes`);
      dp.flushConnections();
    }
  } finally {
    dp.applyLb({ remove: [{ vip: V4.vip, port: 80, protocol: 'sctp' }] });
  }
});
