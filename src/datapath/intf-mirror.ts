// intf_arr mirrors the untagged entries of intf by ifindex (the datapath resolves those
// with an array lookup instead of a hash): every planned intf write with vlan 0 and an
// ifindex below the array's size gets its twin, written right after it.
import { intfKeyCodec, intfSlotCodec, INTF_ARR_MAX } from './codecs.js';
import { u32Codec } from './struct-codec.js';
import type { Write } from './write.js';

function twin(w: Write): Write | null {
  if (w.map !== 'intf') return null;
  const key = intfKeyCodec.decode(w.key);
  if (key.vlan !== 0 || key.ifindex >= INTF_ARR_MAX) return null;
  const value = w.value === null ? Buffer.alloc(intfSlotCodec.size) : intfSlotCodec.encode({ intf: w.value, valid: 1 });
  return { map: 'intf_arr', key: u32Codec.encode(key.ifindex), value, what: `${w.what} (by ifindex)` };
}

export function withIntfMirror(writes: Write[]): Write[] {
  return writes.flatMap((w) => {
    const t = twin(w);
    return t === null ? [w] : [w, t];
  });
}
