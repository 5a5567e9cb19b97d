// Paths and machine-state probes shared by the conformance tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STATE_DIR } from '../../netns/index.js';
import { standInOwner } from '../../src/conformance/stand-in-links.js';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/scenarios', import.meta.url));

/** Topology run-state files of a process (run ids are <pid>x<hex>). */
export function runStatesOf(pid: number): string[] {
  return existsSync(STATE_DIR) ? readdirSync(STATE_DIR).filter((n) => n.startsWith(`${pid}x`)) : [];
}

export function namespacesOf(pid: number): string[] {
  const out = execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }).trim();
  const names = out === '' ? [] : (JSON.parse(out) as { name: string }[]).map((n) => n.name);
  return names.filter((n) => n.startsWith(`fp-${pid}x`));
}

/** Pins of a conformance run are /sys/fs/bpf/fastpath-<pid hex><random>. */
export function pinsOf(pid: number): string[] {
  const root = '/sys/fs/bpf';
  return existsSync(root) ? readdirSync(root).filter((n) => n.startsWith(`fastpath-${pid.toString(16)}`)) : [];
}

/** Packet-mode stand-in veths of a process in the root namespace: fp<pid>x<pair><tag>a|b. */
export function standInLinksOf(pid: number): string[] {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[];
  return links.map((l) => l.ifname).filter((n) => standInOwner(n) === pid);
}
