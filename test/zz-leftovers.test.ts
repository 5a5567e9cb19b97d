// Runs after every other test file (test/run-all.sh runs it on its own, last): whatever the
// suite created must be gone. fastpath names everything it creates so this can be checked:
// namespaces fp-*, root-namespace links fp*, pins under /sys/fs/bpf/fastpath-*, run state
// files under /run/fastpath, agent processes running dist/netns/agent.
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ownerGone, pinOwners } from '../src/datapath/pin-owners.js';
import { STATE_BASE } from '../src/deploy/state-dir.js';

// Another fastpath run going on at the same time (a developer's benchmark, say) owns
// objects this suite did not make. Names start with the owner's pid (fp-<pid>x...,
// fp<pid>x... for root-namespace links, fastpath-<pid>-...); an object whose owner is still alive is not this suite's, because
// every process of the suite has exited by now. In CI nothing else runs, so nothing is
// skipped there.
function liveOwner(name: string): number | undefined {
  const m = /^(?:fp-|fastpath-|fp)(\d+)[x-]/.exec(name);
  if (m === null) return undefined;
  const pid = Number(m[1]);
  return pid !== process.pid && existsSync(`/proc/${pid}`) ? pid : undefined;
}

function leaked(t: ExecutionContext, names: string[]): string[] {
  return names.filter((n) => {
    const owner = liveOwner(n);
    if (owner !== undefined) t.log(`not this suite's: ${n} (owner pid ${owner} is alive)`);
    return owner === undefined;
  });
}

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
      if (!cmd.includes('dist/netns/agent/')) continue;
      // An agent whose parent is alive belongs to a run still going on; a leaked one has
      // been re-parented to init.
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (ppid === 1) found.push(`${pid}: ${cmd.trim()}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

test('no fastpath network namespace is left', (t) => {
  t.deepEqual(
    leaked(
      t,
      netnsNames().filter((n) => n.startsWith('fp-')),
    ),
    [],
  );
});

test('no fastpath link and no XDP program is left in the root namespace', (t) => {
  const links = rootLinks();
  t.deepEqual(
    leaked(
      t,
      links.filter((l) => l.ifname.startsWith('fp')).map((l) => l.ifname),
    ),
    [],
  );
  t.deepEqual(
    links.filter((l) => l.xdp !== undefined).map((l) => l.ifname),
    [],
  );
});

test('no clsact qdisc of ours is left in the root namespace', (t) => {
  const qdiscs = JSON.parse(execFileSync('tc', ['-j', 'qdisc', 'show'], { encoding: 'utf8' })) as {
    kind: string;
    dev: string;
  }[];
  t.deepEqual(
    qdiscs.filter((q) => q.kind === 'clsact').map((q) => q.dev),
    [],
  );
});

test('no fastpath pin is left in bpffs', (t) => {
  const root = '/sys/fs/bpf';
  const pins = existsSync(root) ? readdirSync(root).filter((n) => n.startsWith('fastpath')) : [];
  t.deepEqual(leaked(t, pins), []);
});

test('no run state file and no agent process is left', (t) => {
  const stateDir = '/run/fastpath';
  const states = existsSync(stateDir) ? readdirSync(stateDir).filter((n) => n.endsWith('.json')) : [];
  t.deepEqual(
    leaked(
      t,
      states.map((n) => `fp-${n}`),
    ),
    [],
  );
  t.deepEqual(agentProcesses(), []);
});

test('no pin-owner record of a dead process and no dp up state is left', (t) => {
  const owners = pinOwners()
    .filter((o) => ownerGone(o))
    .map((o) => `${o.root} (pid ${o.pid})`);
  t.deepEqual(owners, []);
  const daemons = existsSync(STATE_BASE) ? readdirSync(STATE_BASE) : [];
  t.deepEqual(daemons, []);
});
