// Opening and loading objects: program and map listings, pinning, prog-array slots, the
// verifier log of a rejected program, and handle lifetimes.
import test from 'ava';
import { existsSync } from 'node:fs';
import { BpfMap, BpfObject, libbpfVersion, possibleCpus } from '../../native/index.js';
import { TC_ACT_OK } from '../../native/constants.js';
import { fixture, makePinRoot, sumPerCpu, u32, u64 } from './_helpers.js';

test('the addon reports its libbpf version and the possible CPUs', (t) => {
  t.regex(libbpfVersion, /^1\.\d+$/);
  const possible = possibleCpus();
  t.true(Number.isInteger(possible) && possible >= 1);
});

test('programs() lists every program with its section, type, fd and id', (t) => {
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  t.is(obj.path, fixture('counter'));
  t.false(obj.closed);
  const programs = obj.programs();
  t.deepEqual(
    programs.map(({ name, section, type }) => ({ name, section, type })),
    [
      { name: 'count_tc', section: 'tc', type: 'sched_cls' },
      { name: 'count_tail', section: 'tc', type: 'sched_cls' },
      { name: 'count_xdp', section: 'xdp', type: 'xdp' },
    ],
  );
  for (const p of programs) {
    t.true(p.fd > 2, `${p.name} fd`);
    t.true(p.id > 0, `${p.name} id`);
  }
  t.is(new Set(programs.map((p) => p.id)).size, 3);
});

test('maps() lists every map with its exact type, sizes and per-CPU stride', (t) => {
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  const cpus = possibleCpus();
  const maps = obj.maps().map(({ fd, id, ...rest }) => {
    t.true(fd > 2 && id > 0);
    return rest;
  });
  t.deepEqual(maps, [
    { name: 'jmp', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, pinPath: null, perCpu: false, valueStride: 4 },
    {
      name: 'hits',
      type: 'percpu_array',
      keySize: 4,
      valueSize: 8,
      maxEntries: 4,
      flags: 0,
      pinPath: null,
      perCpu: true,
      valueStride: 8 * cpus,
    },
    { name: 'by_proto', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 64, flags: 0, pinPath: null, perCpu: false, valueStride: 8 },
    {
      name: 'events',
      type: 'ringbuf',
      keySize: 0,
      valueSize: 0,
      maxEntries: 256 * 1024,
      flags: 0,
      pinPath: null,
      perCpu: false,
      valueStride: 0,
    },
  ]);
  t.deepEqual(obj.map('hits').info.name, 'hits');
});

test('a program the verifier rejects raises EACCES carrying the verifier log', (t) => {
  const err = t.throws(() => new BpfObject(fixture('rejected')));
  t.truthy(err);
  const native = err as unknown as { code: string; errno: number; syscall: string; verifierLog?: string; libbpfLog?: string };
  t.is(native.code, 'EACCES');
  t.is(native.errno, 13);
  t.is(native.syscall, 'bpf_object__load');
  t.true(err.message.includes("program 'unchecked_read' rejected by the verifier"), err.message);
  t.true(err.message.includes(fixture('rejected')));
  t.true(native.verifierLog?.includes('invalid access to packet'), native.verifierLog);
  t.true(native.libbpfLog?.includes('BPF program load failed'), native.libbpfLog);
});

test('verifierLogLevel 2 still loads a good object and still reports a rejection', (t) => {
  const obj = new BpfObject(fixture('counter'), { verifierLogLevel: 2 });
  t.is(obj.programs().length, 3);
  obj.close();
  const err = t.throws(() => new BpfObject(fixture('rejected'), { verifierLogLevel: 2 })) as unknown as { verifierLog?: string };
  t.true(err.verifierLog?.includes('invalid access to packet'));
});

test('maps with pinning by name are pinned under pinRoot and reused by the next load', (t) => {
  const pinRoot = makePinRoot(t);
  const first = new BpfObject(fixture('maps'), { pinRoot });
  const cfg = first.maps().find((m) => m.name === 'pinned_cfg');
  t.is(cfg?.pinPath, `${pinRoot}/pinned_cfg`);
  t.true(existsSync(`${pinRoot}/pinned_cfg`));
  t.is(first.maps().find((m) => m.name === 'crud')?.pinPath, null);
  first.map('pinned_cfg').update(u32(2), u64(0xfeedn));
  first.close();

  const second = new BpfObject(fixture('maps'), { pinRoot });
  t.teardown(() => second.close());
  t.deepEqual(second.map('pinned_cfg').lookup(u32(2)), u64(0xfeedn));
  t.is(second.map('pinned_cfg').info.id, cfg!.id);

  const pinned = BpfMap.openPinned(`${pinRoot}/pinned_cfg`);
  t.teardown(() => pinned.close());
  t.is(pinned.info.id, cfg!.id);
  t.is(pinned.info.pinPath, `${pinRoot}/pinned_cfg`);
  t.deepEqual(pinned.lookup(u32(2)), u64(0xfeedn));
});

test('maxEntries sizes the named maps before load; a pinned map of another size is refused, a missing map named', (t) => {
  const sized = new BpfObject(fixture('counter'), { maxEntries: { by_proto: 1000 } });
  t.teardown(() => sized.close());
  t.is(sized.map('by_proto').info.maxEntries, 1000);
  t.is(sized.map('hits').info.maxEntries, 4);

  const pinRoot = makePinRoot(t);
  const first = new BpfObject(fixture('maps'), { pinRoot, maxEntries: { pinned_cfg: 16 } });
  t.is(first.map('pinned_cfg').info.maxEntries, 16);
  first.close();
  const again = new BpfObject(fixture('maps'), { pinRoot, maxEntries: { pinned_cfg: 16 } });
  t.is(again.map('pinned_cfg').info.maxEntries, 16);
  again.close();
  const mismatch = t.throws(() => new BpfObject(fixture('maps'), { pinRoot })) as unknown as { syscall: string; message: string };
  t.is(mismatch.syscall, 'bpf_object__load');
  t.true(mismatch.message.includes("couldn't reuse pinned map"), mismatch.message);

  const missing = t.throws(() => new BpfObject(fixture('counter'), { maxEntries: { nosuch: 8 } })) as unknown as {
    code: string;
    message: string;
  };
  t.is(missing.code, 'ENOENT');
  t.true(missing.message.includes("map 'nosuch' not found"), missing.message);
  t.throws(() => new BpfObject(fixture('counter'), { maxEntries: { by_proto: 0 } }), { message: /maxEntries\.by_proto must be in \[1, / });
});

test('without pinRoot nothing is pinned', (t) => {
  const obj = new BpfObject(fixture('maps'));
  t.teardown(() => obj.close());
  t.is(obj.maps().find((m) => m.name === 'pinned_cfg')?.pinPath, null);
  t.false(existsSync('/sys/fs/bpf/pinned_cfg'));
});

test('map pin() and unpin() create and remove a bpffs pin', (t) => {
  const pinRoot = makePinRoot(t);
  const obj = new BpfObject(fixture('maps'), { pinRoot });
  t.teardown(() => obj.close());
  const crud = obj.map('crud');
  crud.pin(`${pinRoot}/crud-copy`);
  t.true(existsSync(`${pinRoot}/crud-copy`));
  t.is(BpfMap.openPinned(`${pinRoot}/crud-copy`).info.id, crud.info.id);
  crud.unpin(`${pinRoot}/crud-copy`);
  t.false(existsSync(`${pinRoot}/crud-copy`));
});

test('setProgArraySlot installs a tail-call target that the entry program reaches', (t) => {
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  const hits = obj.map('hits');
  const prog = obj.program('count_tc');
  const frame = Buffer.alloc(60, 0);

  prog.testRun({ data: frame });
  t.is(sumPerCpu(hits.lookupPerCpu(u32(0))), 1n);
  t.is(sumPerCpu(hits.lookupPerCpu(u32(2))), 0n, 'empty slot: the tail call falls through');

  obj.setProgArraySlot('jmp', 0, 'count_tail');
  const result = prog.testRun({ data: frame });
  t.is(result.retval, TC_ACT_OK);
  t.is(sumPerCpu(hits.lookupPerCpu(u32(0))), 2n);
  t.is(sumPerCpu(hits.lookupPerCpu(u32(2))), 1n);
});

test('map and program handles keep working after the object is closed; close is idempotent', (t) => {
  const obj = new BpfObject(fixture('counter'));
  const byProto = obj.map('by_proto');
  const prog = obj.program('count_xdp');
  obj.close();
  obj.close();
  t.true(obj.closed);
  t.is(prog.testRun({ data: Buffer.alloc(60) }).retval, 2);
  t.deepEqual(byProto.lookup(u32(0)), u64(1n));
  byProto.close();
  byProto.close();
  prog.close();
  prog.close();
  t.is(prog.fd, -1);
});
