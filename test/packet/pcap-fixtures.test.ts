// The committed captures (made by kernel-capture.test.ts with FP_UPDATE_PCAP_FIXTURES=1)
// keep the kernel vectors checked where namespaces cannot be made.
import test from 'ava';
import { execFileSync } from 'node:child_process';
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
    'arp',
    'icmp:0',
    'icmp:3',
    'icmp:8',
    'icmpv6:1',
    'icmpv6:128',
    'icmpv6:129',
    'icmpv6:133',
    'icmpv6:135',
    'icmpv6:136',
    'icmpv6:143',
    'tcp:.',
    'tcp:F.',
    'tcp:R',
    'tcp:S',
    'tcp:S.',
    'udp/ipv4',
    'udp/ipv6',
  ]);
});

test('kernel capture fixture: an ICMP port-unreachable quoting the datagram decodes all the way', async (t) => {
  const packets = await readPcap(fixture);
  const unreachable = packets.map((p) => decodePacket(p.data)).find((d) => d.layers.some((l) => l.type === 'icmp' && l.icmpType === 3));
  t.truthy(unreachable);
  t.deepEqual(
    unreachable?.layers.map((l) => l.type),
    ['eth', 'ipv4', 'icmp', 'ipv4', 'udp', 'payload'],
  );
  t.deepEqual(
    unreachable?.checksums.map((c) => `${c.layer}:${c.valid ? 'ok' : c.partial ? 'partial' : 'bad'}`),
    ['ipv4:ok', 'icmp:ok', 'ipv4[1]:ok', 'udp:partial'],
  );
  t.is(
    renderPacket(unreachable!),
    [
      'eth 1a:10:f5:89:2f:d3 > 42:5c:75:77:22:e5 type 0x0800',
      'ipv4 10.71.0.2 > 10.71.0.1 ttl 64 id 37673 len 67 csum 0xd240 ok',
      'icmp dest-unreachable code 3 csum 0xd257 ok',
      'ipv4 10.71.0.1 > 10.71.0.2 ttl 64 id 13278 len 39 df csum 0xf257 ok',
      'udp 60325 > 9 len 19 csum 0x14b5 partial',
      'payload 11 bytes 6e6f626f647920686f6d65',
    ].join('\n'),
  );
});

test('writePcap writes classic pcap that readPcap (pcap-parser) reads back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-pcap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'x.pcap');
  const packets = [{ data: Buffer.from('0102030405', 'hex'), ts: 1700000000.25 }, { data: Buffer.alloc(60, 7) }];
  await writePcap(file, packets);
  t.is(
    readFileSync(file).subarray(0, 24).toString('hex'),
    ['d4c3b2a1', '02000400', '00000000', '00000000', '00000400', '01000000'].join(''),
  );
  t.deepEqual(readFileSync(file), encodePcap(packets));
  const back = await readPcap(file);
  t.deepEqual(back, [
    { data: packets[0]!.data, ts: 1700000000.25, origLength: 5 },
    { data: packets[1]!.data, ts: 0, origLength: 60 },
  ]);
  await t.throwsAsync(readPcap(join(dir, 'missing.pcap')), { message: /readPcap .*missing\.pcap/ });
});

const noOffloadFixture = fileURLToPath(new URL('../../../test/fixtures/pcap/kernel-veth-no-offload.pcap', import.meta.url));

test('kernel capture fixture with tx checksum offload off: every checksum fully valid, rebuild identical', async (t) => {
  const packets = await readPcap(noOffloadFixture);
  t.is(packets.length, 53);
  const report = checkCapture(packets);
  t.deepEqual(report.problems, []);
  t.is(report.checked, 75);
  t.is(report.partial, 0);
  const syn = packets.map((p) => decodePacket(p.data)).find((d) => d.layers.some((l) => l.type === 'tcp' && l.flags?.syn && !l.flags.ack));
  t.is(
    renderPacket(syn!),
    [
      'eth 8e:e3:28:f3:ff:2f > 0e:b6:57:7f:88:12 type 0x0800',
      'ipv4 10.72.0.1 > 10.72.0.2 ttl 64 id 19974 len 60 df csum 0xd823 ok',
      'tcp 46976 > 8080 [S] seq 2272887198 ack 0 win 64240 opts mss 1460,sackPerm,ts 1872895330 0,wscale 10 csum 0xcb4c ok',
    ].join('\n'),
  );
});

test('tcpdump agrees: no checksum it verifies is wrong in the no-offload fixture', (t) => {
  let out: string;
  try {
    out = execFileSync('tcpdump', ['-r', noOffloadFixture, '-n', '-vv'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    t.log('skipped: tcpdump is not available');
    t.pass();
    return;
  }
  t.is(
    out
      .trim()
      .split('\n')
      .filter((l) => /^\d\d:/.test(l)).length,
    53,
  );
  t.deepEqual(
    out.split('\n').filter((l) => /incorrect|bad (udp |icmp |)c?ksum|wrong/i.test(l)),
    [],
  );
  t.true(/sum ok/.test(out));
});
