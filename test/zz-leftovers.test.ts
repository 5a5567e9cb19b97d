// Runs after every other test file (test/run-all.sh runs it on its own, last): whatever the
// suite created must be gone. fastpath names everything it creates so this can be checked:
// namespaces fp-*, root-namespace links fp*, pins under /sys/fs/bpf/fastpath-*, run state
// files under /run/fastpath, agent processes running dist/netns/agent.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

function netnsNames(): string[] {
  const out = execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }).trim();
  if (out === '') return [];
  return (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

function rootLinks(): { ifname: string; xdp?: unknown }[] {
  return JSON.parse(execFileSync('ip', ['-j', '-d', 'link', 'show'], { encoding: 'utf8' })) as {
    ifname: string;
    xdp?: unknown;
  }[];
}

function agentProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('dist/netns/agent/')) found.push(`${pid}: ${cmd.trim()}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

test('no fastpath network namespace is left', (t) => {
  t.deepEqual(netnsNames().filter((n) => n.startsWith('fp-')), []);
});

test('no fastpath link and no XDP program is left in the root namespace', (t) => {
  const links = rootLinks();
  t.deepEqual(links.filter((l) => l.ifname.startsWith('fp')).map((l) => l.ifname), []);
  t.deepEqual(links.filter((l) => l.xdp !== undefined).map((l) => l.ifname), []);
});

test('no clsact qdisc of ours is left in the root namespace', (t) => {
  const qdiscs = JSON.parse(execFileSync('tc', ['-j', 'qdisc', 'show'], { encoding: 'utf8' })) as {
    kind: string;
    dev: string;
  }[];
  t.deepEqual(qdiscs.filter((q) => q.kind === 'clsact').map((q) => q.dev), []);
});

test('no fastpath pin is left in bpffs', (t) => {
  const root = '/sys/fs/bpf';
  const pins = existsSync(root) ? readdirSync(root).filter((n) => n.startsWith('fastpath')) : [];
  t.deepEqual(pins, []);
});

test('no run state file and no agent process is left', (t) => {
  const stateDir = '/run/fastpath';
  const states = existsSync(stateDir) ? readdirSync(stateDir).filter((n) => n.endsWith('.json')) : [];
  t.deepEqual(states, []);
  t.deepEqual(agentProcesses(), []);
});
