// --iface / --peer-iface: the wire benchmark on named interfaces instead of its own
// topology, exercised on a veth pair this test creates (in this namespace, named fp...).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/bench/command.js';
import { readResult } from '../../src/bench/result.js';

const root = process.getuid?.() === 0;
if (!root) test('--iface run is skipped', (t) => t.log('skipped: needs root (veth, XDP)'));

(root ? test.serial : test.skip)('bench wire --iface A --peer-iface B measures the path between two named veths', async (t) => {
  const tag = `${process.pid.toString(16)}${randomBytes(2).toString('hex')}`.slice(-10);
  const [a, b] = [`fp${tag}g`, `fp${tag}s`];
  execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  t.teardown(() => {
    try {
      execFileSync('ip', ['link', 'del', a], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  });
  for (const name of [a, b]) execFileSync('ip', ['link', 'set', name, 'up']);
  const out = mkdtempSync(join(tmpdir(), 'fp-bench-iface-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));

  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  };
  let code: number;
  try {
    code = await main([
      'wire',
      '--iface',
      a,
      '--peer-iface',
      b,
      '--sizes',
      '64,1500',
      '--flows',
      '4',
      '--samples',
      '2',
      '--duration-ms',
      '100',
      '--warmup-ms',
      '50',
      '--out',
      out,
    ]);
  } finally {
    process.stdout.write = write;
  }
  t.is(code, 0);
  const dir = /written to (\S+)/.exec(stdout)?.[1];
  const result = readResult(join(dir!, 'result.json'));
  t.deepEqual(
    result.metrics.map((m) => m.id),
    ['wire/path/64B/4f/mpps', 'wire/path/64B/4f/gbps', 'wire/path/1500B/4f/mpps', 'wire/path/1500B/4f/gbps'],
  );
  for (const m of result.metrics) {
    t.is(m.samples.length, 2);
    t.true(
      m.samples.every((s) => s > 0),
      m.id,
    );
    t.is(m.params.mode, 'path');
    t.is(m.ratio, undefined, 'no ceiling on named interfaces');
  }
  // The sink's XDP program is gone again.
  const link = execFileSync('ip', ['-d', 'link', 'show', b], { encoding: 'utf8' });
  t.false(/\bxdp\b/.test(link), link);
});

(root ? test.serial : test.skip)('an interface that does not exist is named', async (t) => {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  };
  let code: number;
  try {
    code = await main(['wire', '--iface', 'fpnosuch0', '--peer-iface', 'fpnosuch1', '--out', tmpdir()]);
  } finally {
    process.stderr.write = write;
  }
  t.is(code, 1);
  t.is(stderr, "fastpath bench wire: --peer-iface: no interface 'fpnosuch1' in this namespace\n");
});
