// Packets from the real kernel stack, captured with tcpdump on the receiving side of a veth:
// every checksum must check out and decode -> build must give the same bytes.
import test from 'ava';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcap } from '../../src/packet/index.js';
import { checkCapture } from './capture-check.js';
import { execFileSync } from 'node:child_process';
import { createPair, hasEthtool, netnsUnavailable, runInNs, startCapture, startInNs, type NetnsPair } from './netns-pair.js';

const traffic = fileURLToPath(new URL('./kernel-traffic.js', import.meta.url));
const unavailable = netnsUnavailable();

if (unavailable) {
  test('kernel capture (skipped)', (t) => {
    t.log(`skipped: ${unavailable}`);
    t.pass();
  });
}

const KINDS = [
  'icmp:8',
  'icmp:0',
  'icmpv6:128',
  'icmpv6:129',
  'icmpv6:135',
  'icmpv6:136',
  'tcp:S',
  'tcp:S.',
  'tcp:F.',
  'udp/ipv4',
  'udp/ipv6',
  'arp',
  'tcp:R',
  'icmp:3',
  'icmpv6:1',
];

function hasPing(): boolean {
  try {
    execFileSync('ping', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the traffic with tcpdump on the receiving side; returns the capture file. */
async function captureTraffic(pair: NetnsPair, file: string, log: (s: string) => void): Promise<void> {
  const capture = await startCapture(pair.b, pair.dev, file);
  const server = await startInNs(pair.b, traffic, ['server']);
  try {
    if (hasPing()) {
      execFileSync('ip', ['netns', 'exec', pair.a, 'ping', '-c', '1', '-W', '2', pair.v4.b], { stdio: 'ignore' });
      execFileSync('ip', ['netns', 'exec', pair.a, 'ping', '-6', '-c', '1', '-W', '2', pair.v6.b], { stdio: 'ignore' });
    } else {
      log('no ping binary: ICMP echo comes from the raw-socket client only');
    }
    await runInNs(pair.a, traffic, ['client', pair.v4.b, pair.v6.b, pair.v4.a, pair.v6.a]);
  } finally {
    await server.stop();
    await new Promise((r) => setTimeout(r, 200));
    await capture.stop();
  }
}

function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/pcap/${name}`, import.meta.url));
}

(unavailable ? test.skip : test)(
  'kernel-generated ICMP, ICMPv6/ND, TCP and UDP on veth with tx offload: valid or exact partial checksums, rebuild byte-identical',
  async (t) => {
    const pair = createPair(71);
    const dir = mkdtempSync(join(tmpdir(), 'fp-capture-'));
    t.teardown(() => {
      pair.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, 'b.pcap');
    await captureTraffic(pair, file, (s) => t.log(s));
    const packets = await readPcap(file);
    if (process.env.FP_UPDATE_PCAP_FIXTURES) copyFileSync(file, fixturePath('kernel-veth.pcap'));
    const report = checkCapture(packets);
    t.log(`${packets.length} packets, ${report.checked} checksums, kinds: ${[...report.kinds].sort().join(' ')}`);
    // veth advertises checksum offload and never finishes it, so locally generated TCP/UDP
    // carry the pseudo-header partial sum on both sides of the link. Those are matched
    // exactly against our pseudo-header sum instead (checkCapture); everything else is valid.
    t.log(`${report.partial} TCP/UDP checksums were offload partials (equal to the pseudo-header sum)`);
    t.deepEqual(report.problems, []);
    t.true(report.partial > 0);
    for (const kind of KINDS) t.true(report.kinds.has(kind), `a ${kind} packet was captured`);
  },
);

const noEthtool = hasEthtool() ? undefined : 'needs ethtool to turn tx checksum offload off';
if (!unavailable && noEthtool) {
  test('kernel capture without offload (skipped)', (t) => {
    t.log(`skipped: ${noEthtool}`);
    t.pass();
  });
}

(unavailable || noEthtool ? test.skip : test)(
  'kernel-generated traffic with tx checksum offload off: every checksum valid, rebuild byte-identical',
  async (t) => {
    const pair = createPair(72, { txChecksumOffload: false });
    const dir = mkdtempSync(join(tmpdir(), 'fp-capture-'));
    t.teardown(() => {
      pair.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, 'b.pcap');
    await captureTraffic(pair, file, (s) => t.log(s));
    const packets = await readPcap(file);
    if (process.env.FP_UPDATE_PCAP_FIXTURES) copyFileSync(file, fixturePath('kernel-veth-no-offload.pcap'));
    const report = checkCapture(packets);
    t.log(`${packets.length} packets, ${report.checked} checksums, all valid`);
    t.deepEqual(report.problems, []);
    t.is(report.partial, 0);
    for (const kind of KINDS) t.true(report.kinds.has(kind), `a ${kind} packet was captured`);
  },
);
