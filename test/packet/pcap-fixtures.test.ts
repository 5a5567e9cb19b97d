// The committed captures (made by kernel-capture.test.ts with FP_UPDATE_PCAP_FIXTURES=1)
// keep the kernel vectors checked where namespaces cannot be made.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePacket, encodePcap, readPcap, renderPacket, writePcap } from '../../src/packet/index.js';
import { checkCapture } from './capture-check.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/pcap/kernel-veth.pcap', import.meta.url));

test('kernel capture fixture: valid checksums and byte-identical rebuild for every packet', async (t) => {
  const packets = await readPcap(fixture);
  t.is(packets.length, 51);
  const report = checkCapture(packets);
  t.deepEqual(report.problems, []);
  t.is(report.checked, 71);
  t.is(report.partial, 29);
  t.deepEqual([...report.kinds].sort(), [
    'arp', 'icmp:0', 'icmp:3', 'icmp:8', 'icmpv6:1', 'icmpv6:128', 'icmpv6:129', 'icmpv6:133', 'icmpv6:135',
    'icmpv6:136', 'icmpv6:143', 'tcp:.', 'tcp:F.', 'tcp:R', 'tcp:S', 'tcp:S.', 'udp/ipv4', 'udp/ipv6',
  ]);
});

test('kernel capture fixture: an ICMP port-unreachable quoting the datagram decodes all the way', async (t) => {
  const packets = await readPcap(fixture);
  const unreachable = packets.map((p) => decodePacket(p.data)).find((d) => d.layers.some((l) => l.type === 'icmp' && l.icmpType === 3));
  t.truthy(unreachable);
  t.deepEqual(unreachable?.layers.map((l) => l.type), ['eth', 'ipv4', 'icmp', 'ipv4', 'udp', 'payload']);
  t.deepEqual(unreachable?.checksums.map((c) => `${c.layer}:${c.valid ? 'ok' : c.partial ? 'partial' : 'bad'}`), ['ipv4:ok', 'icmp:ok', 'ipv4[1]:ok', 'udp:partial']);
  t.is(renderPacket(unreachable!), [
    'eth 1a:10:f5:89:2f:d3 > 42:5c:75:77:22:e5 type 0x0800',
    'ipv4 10.71.0.2 > 10.71.0.1 ttl 64 id 37673 len 67 csum 0xd240 ok',
    'icmp dest-unreachable code 3 csum 0xd257 ok',
    'ipv4 10.71.0.1 > 10.71.0.2 ttl 64 id 13278 len 39 df csum 0xf257 ok',
    'udp 60325 > 9 len 19 csum 0x14b5 partial',
    'payload 11 bytes 6e6f626f647920686f6d65',
  ].join('\n'));
});

test('writePcap writes classic pcap that readPcap (pcap-parser) reads back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-pcap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'x.pcap');
  const packets = [{ data: Buffer.from('0102030405', 'hex'), ts: 1700000000.25 }, { data: Buffer.alloc(60, 7) }];
  await writePcap(file, packets);
  t.is(readFileSync(file).subarray(0, 24).toString('hex'), ['d4c3b2a1', '02000400', '00000000', '00000000', '00000400', '01000000'].join(''));
  t.deepEqual(readFileSync(file), encodePcap(packets));
  const back = await readPcap(file);
  t.deepEqual(back, [
    { data: packets[0].data, ts: 1700000000.25, origLength: 5 },
    { data: packets[1].data, ts: 0, origLength: 60 },
  ]);
  await t.throwsAsync(readPcap(join(dir, 'missing.pcap')), { message: /readPcap .*missing\.pcap/ });
});
