// Map access: CRUD with update flags, iteration, a 100k-entry batch round trip and per-CPU
// values, on the maps of the maps fixture.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { BpfObject, possibleCpus } from '../../native/index.js';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST } from '../../native/constants.js';
import { fixture, throwsNative, u32, u64 } from './_helpers.js';

function openMaps(t: ExecutionContext): BpfObject {
  const obj = new BpfObject(fixture('maps'));
  t.teardown(() => obj.close());
  return obj;
}

test('lookup, update with BPF_ANY/NOEXIST/EXIST, and delete', (t) => {
  const crud = openMaps(t).map('crud');
  t.is(crud.lookup(u32(7)), null);

  throwsNative(t, () => crud.update(u32(7), u64(1n), BPF_EXIST), 'ENOENT', "update of map 'crud' failed");
  t.is(crud.lookup(u32(7)), null, 'a failed update leaves nothing behind');

  crud.update(u32(7), u64(70n), BPF_NOEXIST);
  t.deepEqual(crud.lookup(u32(7)), u64(70n));

  const exists = throwsNative(t, () => crud.update(u32(7), u64(71n), BPF_NOEXIST), 'EEXIST', "map 'crud'");
  t.is(exists.errno, 17);
  t.is(exists.syscall, 'bpf_map_update_elem');
  t.deepEqual(crud.lookup(u32(7)), u64(70n));

  crud.update(u32(7), u64(72n), BPF_EXIST);
  t.deepEqual(crud.lookup(u32(7)), u64(72n));
  crud.update(u32(7), u64(73n), BPF_ANY);
  crud.update(u32(8), u64(80n));
  t.deepEqual(crud.lookup(u32(7)), u64(73n));
  t.deepEqual(crud.lookup(u32(8)), u64(80n));

  t.true(crud.delete(u32(7)));
  t.false(crud.delete(u32(7)));
  t.is(crud.lookup(u32(7)), null);
  t.deepEqual(crud.lookup(u32(8)), u64(80n));
});

test('nextKey walks every key once and keys() returns the same sequence', (t) => {
  const crud = openMaps(t).map('crud');
  const want = [3, 1, 4, 15, 9, 26];
  for (const k of want) crud.update(u32(k), u64(BigInt(k) * 10n));

  const walked: Buffer[] = [];
  for (let k = crud.nextKey(null); k !== null; k = crud.nextKey(k)) walked.push(k);
  t.deepEqual(
    walked.map((k) => k.readUInt32LE(0)).sort((a, b) => a - b),
    [...want].sort((a, b) => a - b),
  );
  t.deepEqual(crud.keys(), walked);

  t.is(crud.nextKey(walked[walked.length - 1]!), null);
  t.deepEqual(crud.nextKey(u32(999)), walked[0], 'an absent key restarts at the first key (kernel semantics)');
});

test('batch update, lookup and delete round-trip exactly 100000 entries', (t) => {
  const crud = openMaps(t).map('crud');
  const n = 100_000;
  t.is(crud.info.maxEntries, n);
  const keys = Buffer.alloc(n * 4);
  const values = Buffer.alloc(n * 8);
  for (let i = 0; i < n; i++) {
    const key = (i * 2654435761) >>> 0; // spread keys over the hash space
    keys.writeUInt32LE(key, i * 4);
    values.writeBigUInt64LE((BigInt(key) << 20n) ^ BigInt(i), i * 8);
  }
  t.is(crud.batchUpdate(keys, values), n);

  const dump = crud.batchLookup(1000);
  t.is(dump.count, n);
  t.is(dump.keys.length, n * 4);
  t.is(dump.values.length, n * 8);
  const expected = new Map<number, Buffer>();
  for (let i = 0; i < n; i++) expected.set(keys.readUInt32LE(i * 4), values.subarray(i * 8, i * 8 + 8));
  let mismatches = 0;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const key = dump.keys.readUInt32LE(i * 4);
    seen.add(key);
    const want = expected.get(key);
    if (want === undefined || !want.equals(dump.values.subarray(i * 8, i * 8 + 8))) mismatches++;
  }
  t.is(mismatches, 0, 'every value byte matches its key');
  t.is(seen.size, n, 'every key comes back exactly once');

  t.is(crud.batchDelete(keys), n);
  t.is(crud.nextKey(null), null, 'the map is empty again');
  t.is(crud.batchLookup().count, 0);
  t.is(crud.batchDelete(keys.subarray(0, 40)), 0, 'deleting absent keys deletes nothing');
});

test('per-CPU values are written and read per CPU', (t) => {
  const perCpu = openMaps(t).map('per_cpu');
  const cpus = possibleCpus();
  t.true(perCpu.info.perCpu);
  t.is(perCpu.info.valueSize, 4);
  t.is(perCpu.info.valueStride, 8 * cpus);

  const values = Array.from({ length: cpus }, (_, cpu) => u32(0x1000 + cpu * 0x111));
  perCpu.updatePerCpu(u32(5), values, BPF_NOEXIST);
  t.deepEqual(perCpu.lookupPerCpu(u32(5)), values);
  t.is(perCpu.lookupPerCpu(u32(6)), null);

  throwsNative(t, () => perCpu.updatePerCpu(u32(5), values, BPF_NOEXIST), 'EEXIST', "map 'per_cpu'");
  throwsNative(
    t,
    () => perCpu.updatePerCpu(u32(5), values.slice(1)),
    'EINVAL',
    `values has ${cpus - 1} entries, map 'per_cpu' wants one per possible CPU (${cpus})`,
  );
  throwsNative(t, () => perCpu.lookup(u32(5)), 'EINVAL', "map 'per_cpu' is per-CPU: use lookupPerCpu()");

  // The batch calls use the flat layout: roundup(valueSize, 8) bytes per CPU.
  const dump = perCpu.batchLookup();
  t.is(dump.count, 1);
  t.deepEqual(dump.keys, u32(5));
  for (let cpu = 0; cpu < cpus; cpu++) t.deepEqual(dump.values.subarray(cpu * 8, cpu * 8 + 4), values[cpu]);

  const flat = Buffer.alloc(2 * 8 * cpus);
  for (let cpu = 0; cpu < cpus; cpu++) {
    flat.writeUInt32LE(100 + cpu, cpu * 8);
    flat.writeUInt32LE(200 + cpu, 8 * cpus + cpu * 8);
  }
  t.is(perCpu.batchUpdate(Buffer.concat([u32(10), u32(11)]), flat), 2);
  t.deepEqual(
    perCpu.lookupPerCpu(u32(11)),
    Array.from({ length: cpus }, (_, cpu) => u32(200 + cpu)),
  );
});
