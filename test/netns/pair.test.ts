// The two-host pair: L2 injection through the addon arrives byte for byte; the
// `fastpath topology` command's help and errors.
import test from 'ava';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../../netns/command.js';
import { buildTopology, loadTopologyFile } from '../../netns/index.js';
import { buildPacket } from '../../src/packet/index.js';
import { captureOutput, leftovers } from './helpers.js';

const PAIR = 'netns/topologies/pair.yaml';
const ADDON = fileURLToPath(new URL('../../../native/build/Release/fastpath.node', import.meta.url));
const addonMissing = existsSync(ADDON) ? null : `the native addon is not built (${ADDON} is missing)`;

if (addonMissing !== null) {
  console.log(`# skipping the l2-send test: ${addonMissing}`);
  test.skip(`l2-send frames arrive byte for byte (skipped: ${addonMissing})`, () => undefined);
} else {
  test('l2-send frames arrive byte for byte on the other end', async (t) => {
    const topo = await buildTopology(loadTopologyFile(PAIR));
    try {
      const [left, right] = await Promise.all([topo.startAgent('left'), topo.startAgent('right')]);
      const frames = [0, 1, 2].map((i) =>
        buildPacket([
          { type: 'eth', src: '02:fa:00:00:00:01', dst: '02:fa:00:00:00:02' },
          { type: 'ipv4', src: '10.10.0.1', dst: '10.10.0.2', ttl: 9, id: 100 + i },
          { type: 'udp', sport: 5000 + i, dport: 6000 },
          { type: 'payload', data: Buffer.from(`frame ${i}`) },
        ]),
      );
      const capture = await right.captureStart({ ifname: 'eth0', filter: 'udp port 6000' });
      try {
        t.deepEqual(await left.l2Send('eth0', frames), { sent: 3 });
        const result = await right.captureStop(capture.captureId);
        t.deepEqual(result.raw, frames);
        t.true(result.packets.every((p) => p.checksums.every((c) => c.valid)));
      } finally {
        rmSync(capture.file, { force: true });
      }
      await t.throwsAsync(left.l2Send('eth0', [Buffer.alloc(4)]), {
        message: "agent 'left' l2-send: frames[0]: 4 bytes is shorter than an Ethernet header",
      });
    } finally {
      await topo.destroy();
    }
    t.deepEqual(leftovers(topo.runId), []);
  });
}

test('topology command: help, usage errors, validation errors', async (t) => {
  const help = await captureOutput(() => main(['--help']));
  t.is(help.status, 0);
  t.true(help.stdout.startsWith('usage: fastpath topology <command> [options]'));
  const unknown = await captureOutput(() => main(['frob']));
  t.is(unknown.status, 2);
  t.true(unknown.stderr.startsWith("fastpath topology: unknown command 'frob'"));
  const missing = await captureOutput(() => main(['down', '--run-id', 'nosuchrun']));
  t.is(missing.status, 1);
  t.is(missing.stderr, "fastpath topology down: --run-id: no run 'nosuchrun' (no state file)\n");
  const bad = await captureOutput(() => main(['up', 'test/netns/fixtures/bad-topology.yaml']));
  t.is(bad.status, 1);
  t.is(
    bad.stderr,
    'fastpath topology up: invalid topology (2 errors):\n' +
      "  links[0].a.addresses[0]: '10.0.0.300/24' is not a valid IPv4 CIDR\n" +
      "  links[0].b.host: unknown host 'nowhere'\n",
  );
});
