// Both compilers' objects pass the verifier and route the same packet to the same bytes;
// pins are reused across a restart; the enum names in TypeScript match common.h.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { TC_ACT_REDIRECT } from '../../native/constants.js';
import { possibleCpus } from '../../native/index.js';
import { DROP_REASONS, Datapath, LRU_LOCAL_FREE, ObjectMismatchError, PATHS, removePins } from '../../src/datapath/index.js';
import { buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, OBJECT, ROUTER_MAC, pinRoot } from './_setup.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function clang14Available(): boolean {
  try {
    execFileSync('clang-14', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function routeOnePacket(object: string): Buffer {
  const dp = Datapath.load({ object, pinRoot: pinRoot() });
  try {
    dp.apply({
      interfaces: [{ ifname: 'lo', port: 1 }],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
      routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
    });
    const r = dp.program('fp_tc_entry').testRun({
      data: buildPacket([
        { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
        { type: 'ipv4', src: '10.1.0.1', dst: '10.2.0.2', ttl: 9 },
        { type: 'udp', sport: 1, dport: 2 },
      ]),
    });
    if (r.retval !== TC_ACT_REDIRECT || r.data === null) throw new Error(`not routed: ${r.retval}`);
    return r.data;
  } finally {
    dp.destroy();
  }
}

const HAVE_CLANG14 = clang14Available();
if (!HAVE_CLANG14) console.log('# skipping the clang-14 object test: clang-14 is not installed');

(HAVE_CLANG14 ? test : test.skip)('clang-19 and clang-14 objects both load (every program verified) and give the same bytes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-clang14-'));
  try {
    const obj14 = join(dir, 'fastpath.bpf.o');
    execFileSync('clang-14', [
      '-target',
      'bpf',
      '-O2',
      '-g',
      '-Wall',
      '-Werror',
      '-I',
      join(REPO, 'bpf/include'),
      '-I',
      '/usr/include/x86_64-linux-gnu',
      '-c',
      join(REPO, 'bpf/fastpath.bpf.c'),
      '-o',
      obj14,
    ]);
    t.is(routeOnePacket(obj14).toString('hex'), routeOnePacket(OBJECT).toString('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pinned maps are reused on restart: configuration survives a reload', (t) => {
  const root = pinRoot();
  try {
    const first = Datapath.load({ object: OBJECT, pinRoot: root });
    first.apply({ interfaces: [{ ifname: 'lo', port: 4, zone: 3 }], routerMacs: [{ mac: ROUTER_MAC }] });
    const config = first.dumpConfig();
    const gen = first.generation();
    first.close();
    const second = Datapath.load({ object: OBJECT, pinRoot: root });
    try {
      t.deepEqual(second.dumpConfig(), config);
      t.is(second.generation(), gen);
    } finally {
      second.close();
    }
  } finally {
    removePins(root);
  }
});

test('connections sizes CT and the flow cache at two entries per connection and the LRU room; pins of another size are refused', (t) => {
  const root = pinRoot();
  const entries = 2000 + LRU_LOCAL_FREE * possibleCpus();
  try {
    const dp = Datapath.load({ object: OBJECT, pinRoot: root, connections: 1000 });
    t.is(dp.map('ct').info.maxEntries, entries);
    t.is(dp.map('fc').info.maxEntries, entries);
    t.is(dp.map('ct_frag').info.maxEntries, 8192, "other maps keep the object's size");
    dp.close();
    t.throws(() => Datapath.load({ object: OBJECT, pinRoot: root }), { message: /couldn't reuse pinned map at .*parameter mismatch/ });
    t.throws(() => Datapath.load({ object: OBJECT, pinRoot: root, connections: 0 }), {
      message: /connections: expected an integer in 1\.\./,
    });
    const again = Datapath.load({ object: OBJECT, pinRoot: root, connections: 1000 });
    t.is(again.map('ct').info.maxEntries, entries);
    again.close();
  } finally {
    removePins(root);
  }
  const plain = Datapath.load({ object: OBJECT, pinRoot: pinRoot() });
  t.is(plain.map('ct').info.maxEntries, 512 * 1024);
  t.is(plain.map('fc').info.maxEntries, 512 * 1024);
  plain.destroy();
});

function enumNames(source: string, enumName: string, prefix: string): string[] {
  const body = source.slice(source.indexOf(`enum ${enumName} {`));
  const block = body.slice(0, body.indexOf('};'));
  return [...block.matchAll(new RegExp(`^\\s*${prefix}([A-Z0-9_]+)`, 'gm'))].map((m) => m[1]!.toLowerCase()).filter((n) => n !== 'max');
}

test('drop reasons and path counters are named in common.h order', (t) => {
  const types = readFileSync(join(REPO, 'bpf/include/common.h'), 'utf8');
  t.deepEqual(enumNames(types, 'fp_drop_reason', 'FP_DROP_'), [...DROP_REASONS]);
  t.deepEqual(enumNames(types, 'fp_path', 'FP_PATH_'), [...PATHS]);
});

test('an object whose table sizes differ from the control plane bounds is refused, every mismatch named, nothing pinned', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-sizes-'));
  try {
    cpSync(join(REPO, 'bpf'), join(dir, 'bpf'), { recursive: true });
    const edit = (file: string, from: string, to: string): void => {
      const path = join(dir, 'bpf/include', file);
      const text = readFileSync(path, 'utf8');
      if (!text.includes(from)) throw new Error(`${file}: no ${from}`);
      writeFileSync(path, text.replace(from, to));
    };
    edit('mirror.h', '#define FP_MAX_MIRR 32', '#define FP_MAX_MIRR 64');
    edit('policer.h', '#define FP_MAX_POL\t      4096', '#define FP_MAX_POL\t      2048');
    const object = join(dir, 'fastpath.bpf.o');
    execFileSync('clang-19', [
      ...['-target', 'bpf', '-O2', '-g', '-Wall', '-Werror'],
      ...['-I', join(dir, 'bpf/include'), '-I', '/usr/include/x86_64-linux-gnu'],
      ...['-c', join(dir, 'bpf/fastpath.bpf.c'), '-o', object],
    ]);
    const root = pinRoot();
    const e = t.throws(() => Datapath.load({ object, pinRoot: root }), { instanceOf: ObjectMismatchError });
    t.deepEqual(
      e.message
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
      [
        "map pol: 2048 entries in the object, the control plane's bound (policer.ts MAX_POL) is 4096",
        "map stats_pol: 6144 entries in the object, the control plane's bound (policer.ts MAX_POL x COLOURS) is 12288",
        "map mirr: 64 entries in the object, the control plane's bound (codecs-qos-mirror-tunnel.ts MAX_MIRR) is 32",
        "map stats_mirr: 64 entries in the object, the control plane's bound (codecs-qos-mirror-tunnel.ts MAX_MIRR) is 32",
      ],
    );
    t.false(existsSync(root), 'no pins left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
