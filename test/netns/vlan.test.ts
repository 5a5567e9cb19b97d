// VLAN sub-interfaces: carried end to end where the kernel has 802.1Q; refused up front,
// with nothing created, where it has not (this CI kernel: CONFIG_VLAN_8021Q is not set).
import test from 'ava';
import { buildTopology, loadTopologyFile } from '../../netns/index.js';
import { vlanSupported } from '../../netns/topology/kernel.js';
import { leftovers } from './helpers.js';

const VLAN_PAIR = 'netns/topologies/vlan-pair.yaml';

if (vlanSupported()) {
  test('UDP over a tagged VLAN sub-interface', async (t) => {
    const topo = await buildTopology(loadTopologyFile(VLAN_PAIR));
    try {
      t.deepEqual(topo.interfaces('left'), ['eth0', 'eth0.100']);
      const right = await topo.startAgent('right');
      const left = await topo.startAgent('left');
      await right.udpServer({ port: 5353 });
      const report = await left.udpClient({ addr: '10.20.100.2', port: 5353, count: 4 });
      t.deepEqual(report.answers, { right: 4 });
    } finally {
      await topo.destroy();
    }
    t.deepEqual(leftovers(topo.runId), []);
  });
} else {
  test('a VLAN topology is refused before anything is created on a kernel without 802.1Q', async (t) => {
    t.log('this kernel has no 802.1Q support: checking the refusal instead of VLAN traffic');
    const runId = `vlan${process.pid}`;
    const err = await t.throwsAsync(buildTopology(loadTopologyFile(VLAN_PAIR), { runId }));
    t.is(
      err.message,
      'cannot build this topology here: links[0].a.vlans: this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q is not set and no 8021q module is loaded)',
    );
    t.deepEqual(leftovers(runId), []);
  });
}
