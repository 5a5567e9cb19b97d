// Packet mode's stand-in veths of a process that died without tearing down (SIGKILL) are
// removed by `fastpath topology sweep`; a live process's are never touched.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { standInOwner, sweepDeadStandIns } from '../../src/conformance/stand-in-links.js';
import { standInLinksOf } from './_helpers.js';

function addPair(stem: string): void {
  execFileSync('ip', ['link', 'add', `${stem}a`, 'type', 'veth', 'peer', 'name', `${stem}b`], { stdio: 'pipe' });
}

test('a stand-in link name carries its owner pid; other names carry none', (t) => {
  t.is(standInOwner('fp8629x2b0a'), 8629);
  t.is(standInOwner('fp8629x2b0b'), 8629);
  t.is(standInOwner('fp8629x2b0c'), undefined);
  t.is(standInOwner('fpx1a'), undefined);
  t.is(standInOwner('eth0'), undefined);
});

test.serial('the sweep deletes the pairs of a dead owner and keeps a live one', (t) => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  addPair(`fp${dead}xzt`);
  addPair(`fp${process.pid}xzt`);
  try {
    t.deepEqual(standInLinksOf(dead).sort(), [`fp${dead}xzta`, `fp${dead}xztb`]);
    const removed = sweepDeadStandIns();
    t.is(removed.filter((n) => n.startsWith(`fp${dead}x`)).length, 1, 'one end deleted, the pair gone with it');
    t.deepEqual(standInLinksOf(dead), []);
    t.deepEqual(standInLinksOf(process.pid).sort(), [`fp${process.pid}xzta`, `fp${process.pid}xztb`], 'a live owner keeps its pair');
  } finally {
    for (const stem of [`fp${dead}xzt`, `fp${process.pid}xzt`]) spawnSync('ip', ['link', 'del', `${stem}a`]);
  }
});
