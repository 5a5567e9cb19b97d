// Bad input raises a NativeError whose message names the problem; the process survives.
import test from 'ava';
import { BpfMap, BpfObject, RingBuffer, destroyClsact, detachXdp, ifindex, sendFrames, xdpQuery } from '../../native/index.js';
import { fixture, makeVethPair, throwsNative, u32, u64 } from './_helpers.js';

test('a missing object file', (t) => {
  const err = throwsNative(
    t,
    () => new BpfObject('build/test-bpf/missing.bpf.o'),
    'ENOENT',
    "object file 'build/test-bpf/missing.bpf.o' not found",
  );
  t.is(err.errno, 2);
});

test('a file that is not an ELF object', (t) => {
  const err = t.throws(() => new BpfObject('/etc/hostname')) as unknown as { code: string; message: string; syscall: string };
  t.is(err.syscall, 'bpf_object__open_file');
  t.true(err.message.includes("opening '/etc/hostname' failed"), err.message);
});

test('an unknown map and an unknown program', (t) => {
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  throwsNative(t, () => obj.map('nope'), 'ENOENT', `map 'nope' not found in ${fixture('counter')}`);
  throwsNative(t, () => obj.program('nope'), 'ENOENT', `program 'nope' not found in ${fixture('counter')}`);
  throwsNative(t, () => obj.setProgArraySlot('jmp', 0, 'nope'), 'ENOENT', "program 'nope' not found");
  throwsNative(t, () => obj.setProgArraySlot('hits', 0, 'count_tail'), 'EINVAL', "map 'hits' is a percpu_array map, not a prog_array");
  throwsNative(t, () => obj.setProgArraySlot('jmp', 9, 'count_tail'), 'E2BIG', "slot 9 is out of range: map 'jmp' has 4 slots");
  throwsNative(t, () => obj.btfLayout('events'), 'ENOENT', "map 'events'");
});

test('wrong key and value sizes are refused before the syscall', (t) => {
  const obj = new BpfObject(fixture('maps'));
  t.teardown(() => obj.close());
  const crud = obj.map('crud');
  const short = throwsNative(t, () => crud.lookup(Buffer.alloc(3)), 'EINVAL', "key is 3 bytes, map 'crud' wants 4");
  t.is(short.errno, 22);
  throwsNative(t, () => crud.update(Buffer.alloc(5), u64(1n)), 'EINVAL', "key is 5 bytes, map 'crud' wants 4");
  throwsNative(t, () => crud.update(u32(1), Buffer.alloc(4)), 'EINVAL', "value is 4 bytes, map 'crud' wants 8");
  throwsNative(t, () => crud.delete(Buffer.alloc(0)), 'EINVAL', "key is 0 bytes, map 'crud' wants 4");
  throwsNative(t, () => crud.nextKey(Buffer.alloc(2)), 'EINVAL', "key is 2 bytes, map 'crud' wants 4");
  throwsNative(t, () => crud.batchUpdate(Buffer.alloc(6), Buffer.alloc(8)), 'EINVAL', "not a multiple of the key size 4 of map 'crud'");
  throwsNative(t, () => crud.batchUpdate(Buffer.alloc(8), Buffer.alloc(8)), 'EINVAL', "values is 8 bytes, map 'crud' wants 2 x 8 = 16");
  throwsNative(t, () => obj.map('per_cpu').updatePerCpu(u32(1), [Buffer.alloc(3)]), 'EINVAL', "map 'per_cpu'");
  throwsNative(t, () => crud.batchUpdate(u32(1), u64(1n), 1), 'EINVAL', 'batch updates accept only BPF_F_LOCK as flags');
  t.is(crud.nextKey(null), null, 'nothing was written');
});

test('argument types are checked and named', (t) => {
  const obj = new BpfObject(fixture('maps'));
  t.teardown(() => obj.close());
  const crud = obj.map('crud');
  throwsNative(t, () => crud.lookup('abcd' as unknown as Buffer), 'EFASTPATH', 'BpfMap.lookup: key must be a Buffer');
  throwsNative(t, () => crud.update(u32(1), u64(1n), 1.5), 'EFASTPATH', 'flags must be an integer');
  throwsNative(t, () => new BpfObject(42 as unknown as string), 'EFASTPATH', 'BpfObject: path must be a string');
  throwsNative(t, () => new BpfObject(fixture('maps'), { verifierLogLevel: 3 }), 'EFASTPATH', 'verifierLogLevel must be in [1, 2]');
  throwsNative(t, () => new (BpfMap as unknown as new () => BpfMap)(), 'EFASTPATH', 'BpfMap cannot be constructed directly');
  throwsNative(t, () => new RingBuffer(crud), 'EINVAL', "map 'crud' is a hash map, not a ringbuf");
  throwsNative(t, () => new RingBuffer({} as BpfMap), 'EFASTPATH', 'RingBuffer: map must be a BpfMap');
});

test('an unknown namespace', (t) => {
  throwsNative(
    t,
    () => ifindex({ ifname: 'lo', netns: 'fp-does-not-exist' }),
    'ENOENT',
    "netns 'fp-does-not-exist' not found (/run/netns/fp-does-not-exist)",
  );
  throwsNative(t, () => xdpQuery({ ifname: 'lo', netns: '/proc/0/ns/net' }), 'ENOENT', "netns '/proc/0/ns/net' not found");
  throwsNative(t, () => ifindex({ ifname: 'lo', netns: '../etc' }), 'EFASTPATH', 'neither a name under /run/netns nor an absolute path');
});

test('an unknown interface, in a namespace and in the current one', (t) => {
  const pair = makeVethPair(t);
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  throwsNative(t, () => ifindex({ ifname: 'veth9', netns: pair.nsA }), 'ENODEV', `interface 'veth9' not found in netns '${pair.nsA}'`);
  throwsNative(
    t,
    () => obj.program('count_xdp').attachXdp({ ifname: 'veth9', netns: pair.nsA }),
    'ENODEV',
    `interface 'veth9' not found in netns '${pair.nsA}'`,
  );
  throwsNative(
    t,
    () => obj.program('count_tc').attachTc({ ifname: pair.b, netns: pair.nsA, direction: 'ingress' }),
    'ENODEV',
    `interface '${pair.b}' not found in netns '${pair.nsA}'`,
  );
  throwsNative(t, () => detachXdp({ ifname: pair.a }), 'ENODEV', `interface '${pair.a}' not found in the current netns`);
  throwsNative(t, () => sendFrames({ ifname: 'veth9', netns: pair.nsB }, [Buffer.alloc(60)]), 'ENODEV', 'veth9');
  throwsNative(
    t,
    () => sendFrames({ ifname: pair.b, netns: pair.nsB }, [Buffer.alloc(10)]),
    'EFASTPATH',
    'frames[0] is 10 bytes, shorter than an Ethernet header (14)',
  );
  throwsNative(
    t,
    () => obj.program('count_tc').attachTc({ ifname: pair.a, netns: pair.nsA, direction: 'sideways' as 'ingress' }),
    'EFASTPATH',
    "direction must be 'ingress' or 'egress'",
  );
  // The failed calls left the thread in its own namespace.
  t.throws(() => ifindex({ ifname: pair.a }));
  t.is(ifindex({ ifname: 'lo' }), 1);
});

test('a failed TC attach leaves no clsact qdisc behind', (t) => {
  const pair = makeVethPair(t);
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  const err = throwsNative(
    t,
    () => obj.program('count_xdp').attachTc({ ifname: pair.a, netns: pair.nsA, direction: 'ingress' }),
    'EINVAL',
    `attaching program 'count_xdp' to tc ingress of '${pair.a}' in netns '${pair.nsA}' failed`,
  );
  t.is(err.syscall, 'bpf_tc_attach');
  t.false(destroyClsact({ ifname: pair.a, netns: pair.nsA }), 'the qdisc created for the attach was removed');
});

test('closed handles raise EBADF naming the handle', (t) => {
  const obj = new BpfObject(fixture('counter'));
  const map = obj.map('by_proto');
  const prog = obj.program('count_xdp');
  obj.close();
  map.close();
  prog.close();
  throwsNative(t, () => obj.map('hits'), 'EBADF', `object '${fixture('counter')}' is closed`);
  throwsNative(t, () => obj.programs(), 'EBADF', 'is closed');
  throwsNative(t, () => map.lookup(u32(1)), 'EBADF', "map 'by_proto' is closed");
  throwsNative(t, () => map.keys(), 'EBADF', "map 'by_proto' is closed");
  throwsNative(t, () => prog.attachXdp({ ifname: 'lo' }), 'EBADF', "program 'count_xdp' is closed");
  t.is(map.info.fd, -1);
});

test('a missing pinned map', (t) => {
  throwsNative(
    t,
    () => BpfMap.openPinned('/sys/fs/bpf/fastpath-none/nothing'),
    'ENOENT',
    'no pinned map at /sys/fs/bpf/fastpath-none/nothing',
  );
});
