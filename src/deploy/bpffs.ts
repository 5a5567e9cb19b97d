// Pins need a bpffs. Under `ip netns exec` (and so in an SSH session of an sshd started
// that way) /sys is a fresh sysfs of the namespace without the host's bpffs on
// /sys/fs/bpf: dp up mounts one there, in that mount namespace only, as systemd does at
// boot. A pin root elsewhere must already be on a bpffs.
import { execFileSync } from 'node:child_process';
import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';

const BPF_FS_MAGIC = 0xcafe4a11;
const BPFFS = '/sys/fs/bpf';

function onBpffs(path: string): boolean {
  let p = path;
  while (!existsSync(p)) p = dirname(p);
  return statfsSync(p).type === BPF_FS_MAGIC;
}

/** Mounts a bpffs on /sys/fs/bpf when the pin root is under it and none is there;
 *  returns what it did, or undefined when there was nothing to do. */
export function ensureBpffs(pinRoot: string): string | undefined {
  if (onBpffs(pinRoot)) return undefined;
  if (pinRoot !== BPFFS && !pinRoot.startsWith(`${BPFFS}/`)) {
    throw new Error(`pin root ${pinRoot} is not on a bpffs (mount -t bpf bpf DIR first, or use a pin root under ${BPFFS})`);
  }
  try {
    execFileSync('mount', ['-t', 'bpf', 'bpf', BPFFS], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const said = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message;
    throw new Error(`${BPFFS} is not a bpffs here and mounting one failed: ${said}`, { cause: e });
  }
  return `mounted a bpffs on ${BPFFS} (this mount namespace had none)`;
}
