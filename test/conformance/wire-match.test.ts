// Wire mode's recognition of an injected packet among captured frames (unit level, real
// bytes from src/packet): the input or the expected output frame, never an ICMP error
// quoting it, never a frame the capturing host sent itself.
import test from 'ava';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { InjectMatcher, sourceMac } from '../../src/conformance/wire-match.js';

const CLIENT = '02:e1:00:00:00:02';
const DUT_C = '02:e1:00:00:00:01';
const DUT_B = '02:e1:00:00:11:01';
const BACKEND = '02:e1:00:00:11:02';
const NONE = new Set<string>();

// A bare SYN to a VIP and what DNAT makes of it: the port and the checksums change, and
// they are the last bytes of a packet without payload.
const synIn: LayerSpec[] = [
  { type: 'eth', dst: DUT_C, src: CLIENT },
  { type: 'ipv4', src: '10.0.1.2', dst: '10.0.9.100', ttl: 64, id: 1 },
  { type: 'tcp', sport: 40000, dport: 80, seq: 1000, flags: { syn: true } },
];
const synOutIp: LayerSpec[] = [
  { type: 'ipv4', src: '10.0.1.2', dst: '10.0.11.2', ttl: 63, id: 1 },
  { type: 'tcp', sport: 40000, dport: 8080, seq: 1000, flags: { syn: true } },
];
const synOut: LayerSpec[] = [{ type: 'eth', dst: BACKEND, src: DUT_B }, ...synOutIp];

test('a NAT-rewritten frame without payload is recognised by the expected frame', (t) => {
  const input = buildPacket(synIn);
  const arrived = buildPacket(synOut);
  t.false(new InjectMatcher(input).matches(arrived, NONE), 'the input alone does not recognise it (its tail changed)');
  t.true(new InjectMatcher(input, arrived).matches(arrived, NONE));
  // A wrong rewrite is still recognised (ending like the input), so it gets a layer diff.
  const wrongMac = buildPacket([{ type: 'eth', dst: '02:e1:00:00:12:02', src: DUT_B }, ...synOutIp]);
  t.true(new InjectMatcher(input, arrived).matches(wrongMac, NONE));
});

test('an ICMP error quoting the packet is not the packet', (t) => {
  const input = buildPacket(synIn);
  const expected = buildPacket(synOut);
  const matcher = new InjectMatcher(input, expected);
  for (const quoted of [synOutIp, synIn.slice(1)]) {
    const icmp = buildPacket([
      { type: 'eth', dst: BACKEND, src: DUT_B },
      { type: 'ipv4', src: '10.0.11.1', dst: '10.0.11.2', ttl: 64, id: 9 },
      { type: 'icmp', icmpType: 'dest-unreachable', code: 3 },
      ...quoted,
    ]);
    t.true(icmp.subarray(-8).equals((quoted === synOutIp ? expected : input).subarray(-8)), 'it ends like the packet');
    t.false(matcher.matches(icmp, NONE));
  }
});

test('a frame the capturing host sent itself is not an arrival', (t) => {
  const input = buildPacket(synIn);
  const expected = buildPacket(synOut);
  const matcher = new InjectMatcher(input, expected);
  // The same bytes from the backend's own MAC (what its end of the link sends).
  const own = buildPacket([{ type: 'eth', dst: DUT_B, src: BACKEND }, ...synOutIp]);
  t.is(sourceMac(own), BACKEND);
  t.false(matcher.matches(own, new Set([BACKEND])));
  t.true(matcher.matches(own, new Set(['02:e1:00:00:00:99'])));
  t.false(matcher.matches(expected, new Set([DUT_B])), 'the MAC compared is the source');
  t.true(matcher.matches(expected, new Set([BACKEND])));
});

test('decapsulation and encapsulation: the length changes, the expected frame is recognised', (t) => {
  const inner: LayerSpec[] = [
    { type: 'ipv4', src: '10.60.0.1', dst: '10.0.6.2', id: 0x77, ttl: 17 },
    { type: 'udp', sport: 3000, dport: 4000 },
    { type: 'payload', data: Buffer.from('user plane up') },
  ];
  const wrapped = buildPacket([
    { type: 'eth', dst: '02:fd:03:00:00:01', src: '02:fd:03:00:00:02' },
    { type: 'ipv4', src: '10.0.0.2', dst: '10.0.0.1', id: 1, ttl: 64 },
    { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
    { type: 'gtpu', teid: 0x2000 },
    ...inner,
  ]);
  const bare = buildPacket([{ type: 'eth', dst: '02:fd:06:00:00:02', src: '02:fd:06:00:00:01' }, ...inner]);
  t.false(new InjectMatcher(wrapped).matches(bare, NONE), 'same tail, but 36 bytes shorter than the input');
  t.true(new InjectMatcher(wrapped, bare).matches(bare, NONE));
  t.true(new InjectMatcher(bare, wrapped).matches(wrapped, NONE));
  // A VLAN tag's 4 bytes are allowed, 8 are not.
  const tagged = buildPacket([{ type: 'eth', dst: '02:fd:06:00:00:02', src: '02:fd:06:00:00:01' }, { type: 'vlan', vid: 5 }, ...inner]);
  t.is(tagged.length, bare.length + 4);
  t.true(new InjectMatcher(wrapped, bare).matches(tagged, NONE));
});
