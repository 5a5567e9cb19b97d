// LB mode dsr-ipip in test-run mode: the client's packet goes unchanged (L3, L4, TTL)
// inside an outer IPv4 header (rule source -> endpoint, protocol 4, id 0, DF, TTL 64,
// checksum valid) routed towards the endpoint; every packet of the flow, including after
// the connection is established (no flow-cache entry: the cache does not encapsulate).
import test, { type ExecutionContext } from 'ava';
import { TC_ACT_REDIRECT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { buildPacket } from '../../src/packet/index.js';
import { assertBytes, ipv4HeaderChecksumValid } from './_setup.js';
import { BACKEND_NH_MAC, OUT_MAC, V4, V6, loadLbDatapath, path, rule, tcp, udp } from './_lb.js';

const EP = V4.eps[1];
const OUTER_SRC = '10.0.0.1';

let dp: Datapath;
test.before(() => {
  dp = loadLbDatapath();
});
test.after.always(() => dp?.destroy());

/** The expected frame: routed MACs towards the endpoint, outer IPv4, then the inner IP bytes. */
function encapsulated(input: Buffer): Buffer {
  const inner = input.subarray(14);
  return buildPacket([
    { type: 'eth', dst: BACKEND_NH_MAC, src: OUT_MAC, ethertype: 0x0800 },
    { type: 'ipv4', src: OUTER_SRC, dst: EP, id: 0, ttl: 64, flags: { df: true }, protocol: 4 },
    { type: 'payload', data: inner },
  ]);
}

function expectIpip(t: ExecutionContext, input: Buffer, what: string): void {
  const r = dp.program('fp_tc_entry').testRun({ data: input });
  t.is(r.retval, TC_ACT_REDIRECT, `${what}: verdict`);
  assertBytes(t, r.data, encapsulated(input), what);
  t.true(ipv4HeaderChecksumValid(r.data!, 14), `${what}: outer checksum`);
  t.deepEqual(r.data!.subarray(34), input.subarray(14), `${what}: inner bytes identical to the input`);
}

test.serial('TCP: SYN, ACK and data are IPIP-encapsulated to the endpoint with the inner packet unchanged', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([{ address: EP }], { mode: 'dsr-ipip', snatAddress: OUTER_SRC })] });
  t.is(dp.lbRules()[0]!.mode, 'dsr-ipip');
  t.is(dp.lbRules()[0]!.snatAddress, OUTER_SRC);
  const c = { src: V4.client, dst: V4.vip, sport: 42000, dport: 80, ttl: 50 };
  const installs = path(dp, 'fc_install');
  expectIpip(t, tcp({ ...c, flags: 'S', seq: 100 }), 'SYN');
  t.deepEqual(
    dp.connections().map((e) => [e.flags, e.state]),
    [[['dsr', 'ipip'], 'syn_sent']],
  );
  expectIpip(t, tcp({ ...c, flags: 'A', seq: 101, ack: 901 }), 'ACK');
  t.deepEqual(
    dp.connections().map((e) => e.state),
    ['established'],
  );
  expectIpip(t, tcp({ ...c, flags: 'PA', seq: 101, ack: 901, payload: Buffer.from('GET / HTTP/1.1\r\n\r\n') }), 'data');
  expectIpip(t, tcp({ ...c, flags: 'PA', seq: 119, ack: 901, payload: Buffer.from('more') }), 'data again (still encapsulated)');
  t.is(path(dp, 'fc_install'), installs, 'no flow-cache entry for an IPIP flow');
});

test.serial('UDP: the datagram is encapsulated unchanged, IP id and TTL included', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([{ address: EP }], { protocol: 'udp', mode: 'dsr-ipip', snatAddress: OUTER_SRC })] });
  expectIpip(t, udp({ src: V4.client, dst: V4.vip, sport: 42001, dport: 80, ttl: 9, ipId: 0x7777, payload: Buffer.alloc(300, 1) }), 'UDP');
});

test.serial('dsr-ipip needs an IPv4 VIP and an outer source; nothing applied on error', (t) => {
  dp.flushConnections();
  dp.applyLb({ remove: dp.lbRules().map((r) => ({ vip: r.vip, port: r.port, protocol: r.protocol, zone: r.zone })) });
  t.throws(() => dp.applyLb({ rules: [rule([{ address: EP }], { mode: 'dsr-ipip' })] }), {
    message: 'rules[0].snatAddress: mode dsr-ipip needs the outer source address',
  });
  t.throws(() => dp.applyLb({ rules: [rule([{ address: V6.eps[0] }], { vip: V6.vip, mode: 'dsr-ipip', snatAddress: V6.snat })] }), {
    message: 'rules[0].mode: dsr-ipip needs an IPv4 VIP (IPv4 in IPv4)',
  });
  t.deepEqual(dp.lbRules(), []);
});
