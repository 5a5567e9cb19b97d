import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(distRoot, 'src', 'cli.js');

function fastpath(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

test('--help lists every subcommand and exits 0', (t) => {
  const r = fastpath('--help');
  t.is(r.status, 0);
  for (const name of ['conformance', 'bench', 'compare', 'topology', 'dp', 'run']) {
    t.regex(r.stdout, new RegExp(`^  ${name}\\s`, 'm'), `help lists ${name}`);
  }
});

test('no command prints usage and exits 2', (t) => {
  const r = fastpath();
  t.is(r.status, 2);
  t.regex(r.stdout, /^usage: fastpath <command>/);
});

test('an unknown command names itself and exits 2', (t) => {
  const r = fastpath('frobnicate');
  t.is(r.status, 2);
  t.regex(r.stderr, /unknown command 'frobnicate'/);
});

const modules: Record<string, string> = {
  conformance: 'src/conformance/command.js',
  bench: 'src/bench/command.js',
  compare: 'src/bench/compare-command.js',
  topology: 'netns/command.js',
  dp: 'src/datapath/command.js',
};

for (const [name, module] of Object.entries(modules)) {
  test(`'${name}' either runs its module or says it is not built (exit 3, no output)`, (t) => {
    const r = fastpath(name, '--help');
    if (existsSync(join(distRoot, module))) {
      t.is(r.status, 0, `${name} --help exits 0: ${r.stderr}`);
      t.true(r.stdout.length > 0, `${name} --help prints its usage`);
    } else {
      t.is(r.status, 3);
      t.is(r.stdout, '');
      t.regex(r.stderr, new RegExp(`'${name}' is not built yet`));
    }
  });
}
