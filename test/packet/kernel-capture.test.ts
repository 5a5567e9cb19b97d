// Packets from the real kernel stack, captured with tcpdump on the receiving side of a veth:
// every checksum must check out and decode -> build must give the same bytes.
import test from 'ava';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcap } from '../../src/packet/index.js';
import { checkCapture } from './capture-check.js';
import { createPair, netnsUnavailable, runInNs, startCapture, startInNs } from './netns-pair.js';

const traffic = fileURLToPath(new URL('./kernel-traffic.js', import.meta.url));
const unavailable = netnsUnavailable();

if (unavailable) {
  test('kernel capture (skipped)', (t) => { t.log(`skipped: ${unavailable}`); t.pass(); });
}

(unavailable ? test.skip : test)('kernel-generated ICMP, ICMPv6/ND, TCP and UDP decode with valid checksums and rebuild byte-identical', async (t) => {
  const pair = createPair(71);
  const dir = mkdtempSync(join(tmpdir(), 'fp-capture-'));
  t.teardown(() => { pair.destroy(); rmSync(dir, { recursive: true, force: true }); });
  const file = join(dir, 'b.pcap');
  const capture = await startCapture(pair.b, pair.dev, file);
  const server = await startInNs(pair.b, traffic, ['server']);
  try {
    await runInNs(pair.a, traffic, ['client', pair.v4.b, pair.v6.b, pair.v4.a, pair.v6.a]);
  } finally {
    await server.stop();
    await new Promise((r) => setTimeout(r, 200));
    await capture.stop();
  }
  const packets = await readPcap(file);
  if (process.env.FP_UPDATE_PCAP_FIXTURES) {
    copyFileSync(file, fileURLToPath(new URL('../../../test/fixtures/pcap/kernel-veth.pcap', import.meta.url)));
  }
  const report = checkCapture(packets);
  t.log(`${packets.length} packets, ${report.checked} checksums, kinds: ${[...report.kinds].sort().join(' ')}`);
  // veth advertises checksum offload and never finishes it, so locally generated TCP/UDP
  // carry the pseudo-header partial sum on both sides of the link (no ethtool here to turn
  // it off). Those are matched exactly against our pseudo-header sum instead.
  t.log(`${report.partial} TCP/UDP checksums were offload partials (equal to the pseudo-header sum)`);
  t.deepEqual(report.problems, []);
  for (const kind of ['icmp:8', 'icmp:0', 'icmpv6:128', 'icmpv6:129', 'icmpv6:135', 'icmpv6:136', 'tcp:S', 'tcp:S.', 'tcp:F.', 'udp/ipv4', 'udp/ipv6', 'arp', 'tcp:R', 'icmp:3', 'icmpv6:1']) {
    t.true(report.kinds.has(kind), `a ${kind} packet was captured`);
  }
});
