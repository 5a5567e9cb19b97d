// L2 injection: whole Ethernet frames out of an interface of this namespace through the
// addon's AF_PACKET sender.
import type { L2SendArgs, SendResult } from './protocol.js';

type FrameSender = Pick<typeof import('../../native/index.js'), 'sendFrames'>;

// Resolved at run time: the agent must start (and serve every other op) even where the
// addon is not built.
const ADDON_INDEX = new URL('../../native/index.js', import.meta.url).href;

export async function l2Send(args: L2SendArgs): Promise<SendResult> {
  if (typeof args.ifname !== 'string' || args.ifname === '')
    throw new Error(`ifname: ${JSON.stringify(args.ifname)} is not an interface name`);
  if (!Array.isArray(args.frames)) throw new Error('frames: must be a list of hex strings');
  const frames = args.frames.map((hex, i) => {
    if (typeof hex !== 'string' || !/^([0-9a-f]{2})+$/i.test(hex)) throw new Error(`frames[${i}]: not a hex string`);
    const frame = Buffer.from(hex, 'hex');
    if (frame.length < 14) throw new Error(`frames[${i}]: ${frame.length} bytes is shorter than an Ethernet header`);
    return frame;
  });
  let addon: FrameSender;
  try {
    addon = (await import(ADDON_INDEX)) as FrameSender;
  } catch (err) {
    throw new Error(`l2-send needs the native addon (native/index.ts): ${(err as Error).message}`, { cause: err });
  }
  return { sent: addon.sendFrames({ ifname: args.ifname }, frames) };
}
