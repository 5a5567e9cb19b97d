// Kernel features a description may need, checked before anything is created so an
// unsupported topology fails whole instead of half-built.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import type { TopologyDescription } from './types.js';

function kernelConfig(): string | null {
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    return null;
  }
}

function moduleInstalled(name: string): boolean {
  const dir = `/lib/modules/${release()}/kernel/net/${name}`;
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** True when `ip link add ... type vlan` can work: 8021q loaded, built in, or loadable. */
export function vlanSupported(): boolean {
  if (existsSync('/proc/net/vlan')) return true;
  const config = kernelConfig();
  if (config !== null)
    return /^CONFIG_VLAN_8021Q=[ym]$/m.test(config) && (config.includes('CONFIG_VLAN_8021Q=y') || moduleInstalled('8021q'));
  return moduleInstalled('8021q');
}

/** Problems with the running kernel, each naming the first field that needs the feature. */
export function kernelProblems(desc: TopologyDescription): string[] {
  const problems: string[] = [];
  const vlanUse = (desc.links ?? []).flatMap((l, i) =>
    (['a', 'b'] as const).filter((e) => (l[e].vlans ?? []).length > 0).map((e) => `links[${i}].${e}.vlans`),
  );
  if (vlanUse.length > 0 && !vlanSupported()) {
    problems.push(`${vlanUse[0]}: this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q is not set and no 8021q module is loaded)`);
  }
  return problems;
}
