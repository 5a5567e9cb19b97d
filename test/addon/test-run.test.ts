// BPF_PROG_TEST_RUN of TC and XDP programs: verdicts, exact output bytes, __sk_buff ctx in
// and out, repeat, and the asynchronous variant.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { BpfObject } from '../../native/index.js';
import { TC_ACT_OK, XDP_PASS, XDP_TX, retvalName } from '../../native/constants.js';
import { fixture, throwsNative } from './_helpers.js';

const DST = Buffer.from('020000000002', 'hex');
const SRC = Buffer.from('020000000001', 'hex');

/** Ethernet + IPv4/UDP-looking payload; only the MACs matter to the rewrite fixture. */
function packet(): Buffer {
  const payload = Buffer.from('4500001c00010000401100000a0000010a0000020035003500080000', 'hex');
  return Buffer.concat([DST, SRC, Buffer.from('0800', 'hex'), payload]);
}

function swapped(p: Buffer): Buffer {
  return Buffer.concat([p.subarray(6, 12), p.subarray(0, 6), p.subarray(12)]);
}

function openRewrite(t: ExecutionContext): BpfObject {
  const obj = new BpfObject(fixture('rewrite'));
  t.teardown(() => obj.close());
  return obj;
}

test('TC test run returns TC_ACT_OK and the MAC-swapped bytes', (t) => {
  const prog = openRewrite(t).program('rewrite_tc');
  t.is(prog.type, 'sched_cls');
  const input = packet();
  const result = prog.testRun({ data: input });
  t.is(result.retval, TC_ACT_OK);
  t.is(retvalName(prog.type, result.retval), 'TC_ACT_OK');
  t.deepEqual(result.data, swapped(input));
  t.is(result.ctx, null);
  t.deepEqual(input, packet(), 'the input Buffer is not modified');
});

test('XDP test run returns XDP_TX and the MAC-swapped bytes', (t) => {
  const prog = openRewrite(t).program('rewrite_xdp');
  t.is(prog.type, 'xdp');
  const result = prog.testRun({ data: packet() });
  t.is(result.retval, XDP_TX);
  t.is(retvalName('xdp', result.retval), 'XDP_TX');
  t.deepEqual(result.data, swapped(packet()));
});

test('__sk_buff ctx goes in and comes out: mark + 1 and cb[0] set by the program', (t) => {
  const prog = openRewrite(t).program('rewrite_tc');
  const ctx = Buffer.alloc(192); // sizeof(struct __sk_buff)
  ctx.writeUInt32LE(41, 8); // mark
  ctx.writeUInt32LE(6, 32); // priority
  const result = prog.testRun({ data: packet(), ctx });
  t.is(result.retval, TC_ACT_OK);
  t.truthy(result.ctx);
  const out = result.ctx!;
  t.is(out.length, 192);
  t.is(out.readUInt32LE(8), 42, 'mark');
  t.is(out.readUInt32LE(32), 6, 'priority passes through');
  t.is(out.readUInt32LE(48), 0xc0ffee, 'cb[0]');
  t.is(out.readUInt32LE(160), packet().length, 'wire_len reported by the kernel');
});

test('dataSizeOut 0 asks for no output data', (t) => {
  const prog = openRewrite(t).program('rewrite_xdp');
  const result = prog.testRun({ data: Buffer.alloc(14, 0xab), dataSizeOut: 0 });
  t.is(result.retval, XDP_TX);
  t.is(result.data, null);
});

test('repeat runs the program many times and reports a per-iteration duration', (t) => {
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  const result = obj.program('count_xdp').testRun({ data: packet(), repeat: 50 });
  t.is(result.retval, XDP_PASS);
  t.true(Number.isInteger(result.duration));
  // The program counted every iteration.
  const hits = obj.map('hits').lookupPerCpu(Buffer.from([1, 0, 0, 0])); // hits[HOOK_XDP]
  t.is(
    hits!.reduce((acc, v) => acc + v.readBigUInt64LE(0), 0n),
    50n,
  );
});

test('testRunAsync resolves with the same result and rejects with a NativeError', async (t) => {
  const prog = openRewrite(t).program('rewrite_xdp');
  const result = await prog.testRunAsync({ data: packet(), pinCpu: 0 });
  t.is(result.retval, XDP_TX);
  t.deepEqual(result.data, swapped(packet()));

  const err = await t.throwsAsync(prog.testRunAsync({ data: Buffer.alloc(4) }));
  t.is((err as unknown as { code: string }).code, 'EINVAL');
  t.true(err.message.includes("test run of program 'rewrite_xdp' failed"), err.message);

  prog.close();
  const closed = await t.throwsAsync(prog.testRunAsync({ data: packet() }));
  t.is((closed as unknown as { code: string }).code, 'EBADF');
});

test('a closed program refuses test runs with EBADF', (t) => {
  const prog = openRewrite(t).program('rewrite_tc');
  prog.close();
  throwsNative(t, () => prog.testRun({ data: packet() }), 'EBADF', "program 'rewrite_tc' is closed");
});
