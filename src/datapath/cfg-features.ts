// cfg[0]'s summary of the optional features, so the per-packet entries skip lookups with one branch:
// flags (any egress mirror, any tunnel route) and qos_ports (bit p = port p has a QoS entry), computed
// for the state after a change's writes.
import { type CfgRaw, CFG_F_EGRESS_MIRR, CFG_F_TUN_DST, CFG_QOS_WORDS } from './codecs.js';
import { MAX_MIRR, MIRR_F_EGRESS, MIRR_F_VALID, QOS_CLASSES, QOS_F_VALID, mirrorCodec, qosCodec } from './codecs-qos-mirror-tunnel.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

type Features = Pick<CfgRaw, 'flags' | 'qos_ports'>;

/** The value a map entry will have after the writes (the last write to the key wins). */
function finalValue(ctx: PlanContext, writes: Write[], map: string, key: Buffer): Buffer | null {
  for (let i = writes.length - 1; i >= 0; i--) {
    const w = writes[i]!;
    if (w.map === map && w.key.equals(key)) return w.value;
  }
  return ctx.map(map).lookup(key);
}

export function cfgFeatures(ctx: PlanContext, writes: Write[], current: Features): Features {
  let flags = current.flags & ~(CFG_F_EGRESS_MIRR | CFG_F_TUN_DST);
  for (let id = 1; id < MAX_MIRR; id++) {
    const raw = finalValue(ctx, writes, 'mirr', u32Codec.encode(id));
    const m = raw === null ? 0 : mirrorCodec.decode(raw).flags;
    if ((m & (MIRR_F_VALID | MIRR_F_EGRESS)) === (MIRR_F_VALID | MIRR_F_EGRESS)) flags |= CFG_F_EGRESS_MIRR;
  }
  const tunDst = new Set([...ctx.map('tun_dst').keys()].map((k) => k.toString('hex')));
  for (const w of writes) {
    if (w.map !== 'tun_dst') continue;
    if (w.value === null) tunDst.delete(w.key.toString('hex'));
    else tunDst.add(w.key.toString('hex'));
  }
  if (tunDst.size > 0) flags |= CFG_F_TUN_DST;
  // Only the ports this change touches can change their bit.
  const qosPorts = current.qos_ports.length === CFG_QOS_WORDS ? [...current.qos_ports] : new Array<number>(CFG_QOS_WORDS).fill(0);
  const touched = new Set(writes.filter((w) => w.map === 'qos').map((w) => Math.floor(u32Codec.decode(w.key) / QOS_CLASSES)));
  for (const port of touched) {
    let any = false;
    for (let cls = 0; cls < QOS_CLASSES && !any; cls++) {
      const raw = finalValue(ctx, writes, 'qos', u32Codec.encode(port * QOS_CLASSES + cls));
      any = raw !== null && (qosCodec.decode(raw).flags & QOS_F_VALID) !== 0;
    }
    const bit = (1 << (port % 32)) >>> 0;
    const word = Math.floor(port / 32);
    const current = qosPorts[word];
    if (current === undefined) throw new Error(`qos: port ${port} is beyond the ${qosPorts.length * 32} ports of the cfg bitmap`);
    qosPorts[word] = any ? (current | bit) >>> 0 : (current & ~bit) >>> 0;
  }
  return { flags, qos_ports: qosPorts };
}
