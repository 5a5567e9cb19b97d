// Attaching to a veth inside fresh namespaces and sending real frames through it: TC ingress
// and egress, XDP in driver and generic mode, detach, xdpQuery and ring-buffer events.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { BpfObject, RingBuffer, destroyClsact, detachTc, detachXdp, ifindex, sendFrames, xdpQuery } from '../../native/index.js';
import { BPF_F_TEST_XDP_LIVE_FRAMES } from '../../native/constants.js';
import { TEST_ETHERTYPE, fixture, makeVethPair, sumPerCpu, testFrame, throwsNative, u32 } from './_helpers.js';

const HOOK_TC = 0;
const HOOK_XDP = 1;
const HOOK_TAIL = 2;

function frames(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => testFrame(i));
}

function openCounter(t: ExecutionContext): BpfObject {
  const obj = new BpfObject(fixture('counter'));
  t.teardown(() => obj.close());
  return obj;
}

/** Packets of the test EtherType counted so far. */
function testFramesCounted(obj: BpfObject): bigint {
  const v = obj.map('by_proto').lookup(u32(TEST_ETHERTYPE));
  return v === null ? 0n : v.readBigUInt64LE(0);
}

test.serial('TC ingress: frames from the peer namespace move the counter exactly; detach stops it', (t) => {
  const pair = makeVethPair(t);
  const obj = openCounter(t);
  obj.setProgArraySlot('jmp', 0, 'count_tail');
  const prog = obj.program('count_tc');
  const target = { ifname: pair.a, netns: pair.nsA, direction: 'ingress' as const };

  const attachment = prog.attachTc(target);
  t.teardown(() => destroyClsact({ ifname: pair.a, netns: pair.nsA }));
  t.deepEqual(attachment, {
    ifindex: ifindex({ ifname: pair.a, netns: pair.nsA }),
    direction: 'ingress',
    priority: 1,
    handle: 1,
    createdQdisc: true,
  });

  t.is(sendFrames({ ifname: pair.b, netns: pair.nsB }, frames(25)), 25);
  t.is(testFramesCounted(obj), 25n);
  const hits = obj.map('hits');
  t.is(sumPerCpu(hits.lookupPerCpu(u32(HOOK_TAIL))), sumPerCpu(hits.lookupPerCpu(u32(HOOK_TC))), 'every packet went through the tail call');

  throwsNative(t, () => prog.attachTc(target), 'EEXIST', `tc ingress of '${pair.a}' in netns '${pair.nsA}'`);
  t.is(prog.attachTc({ ...target, replace: true }).createdQdisc, false);

  t.true(detachTc(target));
  t.false(detachTc(target), 'nothing left to detach');
  t.is(sendFrames({ ifname: pair.b, netns: pair.nsB }, frames(10)), 10);
  t.is(testFramesCounted(obj), 25n, 'no longer counted after detach');

  t.true(destroyClsact({ ifname: pair.a, netns: pair.nsA }));
  t.false(destroyClsact({ ifname: pair.a, netns: pair.nsA }));
});

test.serial('TC egress: frames sent out of the interface are counted', (t) => {
  const pair = makeVethPair(t);
  const obj = openCounter(t);
  const target = { ifname: pair.a, netns: pair.nsA, direction: 'egress' as const, priority: 7, handle: 3 };
  const attachment = obj.program('count_tc').attachTc(target);
  t.teardown(() => destroyClsact({ ifname: pair.a, netns: pair.nsA }));
  t.is(attachment.direction, 'egress');
  t.is(attachment.priority, 7);
  t.is(attachment.handle, 3);

  t.is(sendFrames({ ifname: pair.a, netns: pair.nsA }, frames(17)), 17);
  t.is(testFramesCounted(obj), 17n);
  t.false(detachTc({ ...target, direction: 'ingress' }), 'nothing at ingress');
  t.true(detachTc(target));
  sendFrames({ ifname: pair.a, netns: pair.nsA }, frames(5));
  t.is(testFramesCounted(obj), 17n);
});

for (const mode of ['driver', 'generic'] as const) {
  test.serial(`XDP ${mode} mode: frames are counted, xdpQuery follows attach and detach`, (t) => {
    const pair = makeVethPair(t);
    const obj = openCounter(t);
    const prog = obj.program('count_xdp');
    const target = { ifname: pair.a, netns: pair.nsA, mode };
    t.teardown(() => {
      detachXdp(target);
    });

    t.is(xdpQuery(target), 0);
    t.false(detachXdp(target));
    const { ifindex: attachedAt } = prog.attachXdp(target);
    t.is(attachedAt, ifindex(target));
    const progId = obj.programs().find((p) => p.name === 'count_xdp')!.id;
    t.is(xdpQuery(target), progId);
    t.is(xdpQuery({ ...target, mode: 'auto' }), progId);
    const other = mode === 'driver' ? 'generic' : 'driver';
    t.is(xdpQuery({ ...target, mode: other }), 0);

    throwsNative(t, () => prog.attachXdp(target), 'EBUSY', 'a program is already attached');
    prog.attachXdp({ ...target, replace: true });

    t.is(sendFrames({ ifname: pair.b, netns: pair.nsB }, frames(40)), 40);
    t.is(testFramesCounted(obj), 40n);
    t.is(sumPerCpu(obj.map('hits').lookupPerCpu(u32(HOOK_XDP))), 40n);

    t.true(detachXdp(target));
    t.is(xdpQuery(target), 0);
    sendFrames({ ifname: pair.b, netns: pair.nsB }, frames(8));
    t.is(testFramesCounted(obj), 40n, 'no longer counted after detach');
  });
}

test.serial('XDP live frames run inside a namespace send real frames out of its veth', async (t) => {
  const pair = makeVethPair(t);
  const obj = openCounter(t);
  const sink = { ifname: pair.b, netns: pair.nsB, mode: 'driver' as const };
  obj.program('count_xdp').attachXdp(sink);
  t.teardown(() => {
    detachXdp(sink);
  });
  const generator = new BpfObject(fixture('rewrite'));
  t.teardown(() => generator.close());

  const frame = testFrame(1);
  const ctx = Buffer.alloc(24); // struct xdp_md
  ctx.writeUInt32LE(frame.length, 4); // data_end
  ctx.writeUInt32LE(ifindex({ ifname: pair.a, netns: pair.nsA }), 12); // ingress_ifindex
  const sent = 64;
  // rewrite_xdp returns XDP_TX: each live frame leaves through a and arrives at b.
  await generator.program('rewrite_xdp').testRunAsync({
    data: frame,
    ctx,
    repeat: sent,
    batchSize: 16,
    flags: BPF_F_TEST_XDP_LIVE_FRAMES,
    netns: pair.nsA,
  });
  for (let tries = 0; tries < 100 && testFramesCounted(obj) < BigInt(sent); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.is(testFramesCounted(obj), BigInt(sent));

  // The synchronous call enters the namespace the same way.
  generator.program('rewrite_xdp').testRun({
    data: frame,
    ctx,
    repeat: sent,
    flags: BPF_F_TEST_XDP_LIVE_FRAMES,
    netns: pair.nsA,
  });
  for (let tries = 0; tries < 100 && testFramesCounted(obj) < BigInt(2 * sent); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.is(testFramesCounted(obj), BigInt(2 * sent), 'the synchronous call does the same');
});

test.serial('the ring buffer receives one event per packet', (t) => {
  const pair = makeVethPair(t);
  const obj = openCounter(t);
  const rb = new RingBuffer(obj.map('events'));
  t.teardown(() => rb.close());
  const target = { ifname: pair.a, netns: pair.nsA, mode: 'driver' as const };
  obj.program('count_xdp').attachXdp(target);
  t.teardown(() => {
    detachXdp(target);
  });
  t.deepEqual(rb.poll(0), []);

  const n = 12;
  sendFrames({ ifname: pair.b, netns: pair.nsB }, frames(n));
  const events: Buffer[] = [];
  for (let tries = 0; tries < 50 && events.length < n; tries++) events.push(...rb.poll(100));
  const ours = events.filter((e) => e.readUInt16LE(8) === TEST_ETHERTYPE);
  t.is(ours.length, n);
  for (const e of ours) {
    t.is(e.length, 12);
    t.is(e.readUInt32LE(0), HOOK_XDP);
    t.is(e.readUInt32LE(4), 60);
  }
  rb.close();
  rb.close();
  throwsNative(t, () => rb.poll(0), 'EBADF', "ring buffer 'events' is closed");
});
