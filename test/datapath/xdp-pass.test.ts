// The XDP entry forwards a flow-cache hit itself only when it can do so correctly; else it
// passes the packet on to TC and counts why: a partial L4 checksum (CHECKSUM_PARTIAL from
// a local sender: the TCP/UDP field holds the pseudo-header sum, the SCTP CRC is 0), an IP
// packet longer than the out MTU recorded in the entry, an out port that takes no XDP
// frames. Exact counts in test-run mode; the wire matrix checks the real kernel behaviour.
import test from 'ava';
import { XDP_PASS, XDP_REDIRECT } from '../../native/constants.js';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket, parseIpv4, parseIpv6, parseMac, partialL4Checksum } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, baseConfig, loadDatapath } from './_setup.js';

const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';
const REASONS = ['xdp_pass_csum', 'xdp_pass_mtu', 'xdp_pass_egress'] as const;
const COUNTED = ['xdp_fast_hit', 'xdp_pass', ...REASONS] as const;

let dp: Datapath;
test.before(() => {
  dp = loadDatapath();
  baseConfig(dp);
});
test.after.always(() => dp?.destroy());

type Flow = { family: 4 | 6; proto: 'tcp' | 'udp' | 'sctp'; src: string; dst: string };
const V4TCP: Flow = { family: 4, proto: 'tcp', src: '10.1.0.5', dst: '10.2.0.7' };
const V6UDP: Flow = { family: 6, proto: 'udp', src: 'fd00:1::5', dst: 'fd00:2::7' };
const V4SCTP: Flow = { family: 4, proto: 'sctp', src: '10.1.0.5', dst: '10.2.0.7' };
const PROTO = { tcp: 6, udp: 17, sctp: 132 } as const;

function addr(family: 4 | 6, a: string): Buffer {
  return family === 4 ? Buffer.concat([parseIpv4(a), Buffer.alloc(12)]) : parseIpv6(a);
}

/** A cached entry for the flow (sport 4000 -> dport 80): flags and mtu as given. */
function cache(f: Flow, options: { flags?: number; mtu?: number } = {}): Buffer {
  const key = codecs.flowKeyCodec.encode({
    saddr: addr(f.family, f.src),
    daddr: addr(f.family, f.dst),
    sport_be: 4000,
    dport_be: 80,
    zone: 0,
    proto: PROTO[f.proto],
    family: f.family,
  });
  dp.map('fc').update(
    key,
    codecs.fcCodec.encode({
      generation: dp.generation(),
      dmac: parseMac(NH_MAC),
      smac: parseMac(OUT_MAC),
      ifindex: 1,
      vlan: 0,
      flags: options.flags ?? codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
      mtu: options.mtu ?? 1500,
      route_id: 0,
      nh_id: 1,
      nat_saddr: Buffer.alloc(16),
      nat_daddr: Buffer.alloc(16),
      nat_sport_be: 0,
      nat_dport_be: 0,
    }),
  );
  return key;
}

/** payload bytes; checksum: the L4 checksum field as sent (default: computed, complete). */
function frame(f: Flow, payload: number, checksum?: number): Buffer {
  const l3: LayerSpec =
    f.family === 4 ? { type: 'ipv4', src: f.src, dst: f.dst, ttl: 64, id: 7 } : { type: 'ipv6', src: f.src, dst: f.dst, hopLimit: 64 };
  const l4: LayerSpec =
    f.proto === 'tcp'
      ? { type: 'tcp', sport: 4000, dport: 80, seq: 1, ack: 1, flags: { ack: true }, ...(checksum !== undefined ? { checksum } : {}) }
      : f.proto === 'udp'
        ? { type: 'udp', sport: 4000, dport: 80, ...(checksum !== undefined ? { checksum } : {}) }
        : {
            type: 'sctp',
            sport: 4000,
            dport: 80,
            vtag: 0,
            ...(checksum !== undefined ? { checksum } : {}),
            chunks: [{ type: 'data', tsn: 1, data: Buffer.alloc(4) }],
          };
  return buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
    l3,
    l4,
    ...(payload > 0 ? [{ type: 'payload' as const, data: Buffer.alloc(payload, 0x5a) }] : []),
  ]);
}

function partial(f: Flow, payload: number): number {
  const ip = {
    version: f.family,
    src: f.family === 4 ? parseIpv4(f.src) : parseIpv6(f.src),
    dst: f.family === 4 ? parseIpv4(f.dst) : parseIpv6(f.dst),
  } as const;
  return partialL4Checksum(ip, PROTO[f.proto], (f.proto === 'tcp' ? 20 : 8) + payload);
}

function counts(): Record<string, bigint> {
  const p = dp.paths();
  return Object.fromEntries(COUNTED.map((c) => [c, p[c].packets]));
}

/** Runs the XDP entry; returns its verdict and how each counter moved. */
function xdp(data: Buffer): { retval: number; moved: Record<string, number> } {
  const before = counts();
  const r = dp.program('fp_xdp_entry').testRun({ data });
  const after = counts();
  return { retval: r.retval, moved: Object.fromEntries(COUNTED.map((c) => [c, Number(after[c]! - before[c]!)])) };
}

const only = (moved: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(moved).filter(([, n]) => n !== 0));

test.serial('a complete checksum: XDP forwards; none of the pass reasons moves', (t) => {
  const key = cache(V4TCP);
  try {
    const r = xdp(frame(V4TCP, 100));
    t.is(r.retval, XDP_REDIRECT);
    t.deepEqual(only(r.moved), { xdp_fast_hit: 1 });
  } finally {
    dp.map('fc').delete(key);
  }
});

test.serial('partial checksums (TCP v4, UDP v6, SCTP CRC 0) are passed to TC: xdp_pass_csum +1 each', (t) => {
  for (const f of [V4TCP, V6UDP]) {
    const key = cache(f);
    try {
      const r = xdp(frame(f, 100, partial(f, 100)));
      t.is(r.retval, XDP_PASS, `${f.proto} v${f.family}`);
      t.deepEqual(only(r.moved), { xdp_pass: 1, xdp_pass_csum: 1 }, `${f.proto} v${f.family}`);
      // One bit off the partial sum is a (wrong) complete checksum: forwarded, the receiver judges it.
      t.is(xdp(frame(f, 100, partial(f, 100) ^ 1)).retval, XDP_REDIRECT, `${f.proto} v${f.family}, not the partial sum`);
    } finally {
      dp.map('fc').delete(key);
    }
  }
  const key = cache(V4SCTP);
  try {
    const r = xdp(frame(V4SCTP, 0, 0));
    t.is(r.retval, XDP_PASS, 'SCTP with CRC 0');
    t.deepEqual(only(r.moved), { xdp_pass: 1, xdp_pass_csum: 1 });
    t.is(xdp(frame(V4SCTP, 0)).retval, XDP_REDIRECT, 'SCTP with its CRC32c');
  } finally {
    dp.map('fc').delete(key);
  }
});

test.serial('longer than the out MTU: passed (xdp_pass_mtu +1); exactly the MTU: forwarded', (t) => {
  // IPv4 20 + TCP 20 + 160 bytes of payload = an IP packet of 200 bytes.
  const key = cache(V4TCP, { mtu: 200 });
  try {
    const fits = xdp(frame(V4TCP, 160));
    t.is(fits.retval, XDP_REDIRECT, 'IP length == MTU');
    t.deepEqual(only(fits.moved), { xdp_fast_hit: 1 });
    const over = xdp(frame(V4TCP, 161));
    t.is(over.retval, XDP_PASS, 'IP length == MTU + 1');
    t.deepEqual(only(over.moved), { xdp_pass: 1, xdp_pass_mtu: 1 });
  } finally {
    dp.map('fc').delete(key);
  }
});

test.serial('an out port that takes no XDP frames: passed (xdp_pass_egress +1), before the other checks', (t) => {
  const key = cache(V4TCP, { flags: codecs.FC_F_DEC_TTL, mtu: 100 });
  try {
    const r = xdp(frame(V4TCP, 500, partial(V4TCP, 500)));
    t.is(r.retval, XDP_PASS);
    t.deepEqual(only(r.moved), { xdp_pass: 1, xdp_pass_egress: 1 });
  } finally {
    dp.map('fc').delete(key);
  }
});
