// Mirrors (mirr) and QoS entries (qos): planning only.
import { type Once, int, list, str } from './check.js';
import {
  MAX_MIRR,
  MIRR_F_EGRESS,
  MIRR_F_INGRESS,
  MIRR_F_VALID,
  QOS_CLASSES,
  QOS_F_DSCP,
  QOS_F_VALID,
  QOS_PORTS,
  mirrorCodec,
  qosCodec,
} from './codecs-qos-mirror-tunnel.js';
import type { ConfigChange } from './model.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

export interface MirrorPlan {
  writes: Write[];
  removals: Write[];
  exists(id: number): boolean;
}

export function planMirrors(change: ConfigChange, ctx: PlanContext, once: Once): MirrorPlan {
  const map = ctx.map('mirr');
  const installed = (id: number): boolean => {
    const raw = map.lookup(u32Codec.encode(id));
    return raw !== null && (mirrorCodec.decode(raw).flags & MIRR_F_VALID) !== 0;
  };
  const set = new Set<number>();
  const writes = list('mirrors', change.mirrors).map((c, i) => {
    const field = `mirrors[${i}]`;
    const id = int(`${field}.id`, c?.id, 1, MAX_MIRR - 1);
    once(field, `mirror ${id}`);
    const ifindex = ctx.ifindex(str(`${field}.ifname`, c.ifname), `${field}.ifname`);
    const ingress = c.ingress ?? true;
    const egress = c.egress ?? false;
    if (typeof ingress !== 'boolean' || typeof egress !== 'boolean') throw new Error(`${field}.ingress/egress: expected booleans`);
    if (!ingress && !egress) throw new Error(`${field}.ingress: a mirror copies ingress, egress or both`);
    set.add(id);
    return {
      map: 'mirr',
      key: u32Codec.encode(id),
      what: `mirror ${id}`,
      value: mirrorCodec.encode({
        ifindex,
        vlan: int(`${field}.vlan`, c.vlan, 0, 4095, 0),
        flags: MIRR_F_VALID | (ingress ? MIRR_F_INGRESS : 0) | (egress ? MIRR_F_EGRESS : 0),
      }),
    };
  });
  const removed = new Set<number>();
  const removals = list('remove.mirrors', change.remove?.mirrors).map((v, i) => {
    const field = `remove.mirrors[${i}]`;
    const id = int(field, v, 1, MAX_MIRR - 1);
    once(field, `removal of mirror ${id}`);
    if (!installed(id)) throw new Error(`${field}: mirror ${id} is not configured`);
    if (set.has(id)) throw new Error(`${field}: mirror ${id} is both set and removed in this change`);
    removed.add(id);
    return { map: 'mirr', key: u32Codec.encode(id), value: Buffer.alloc(mirrorCodec.size), what: `mirror ${id}` };
  });
  // Slot 0: FP_MIRR_F_EGRESS while any mirror copies egress (lets XDP skip the per-port
  // lookup). Set before the interfaces use a new egress mirror; cleared after the last goes.
  let anyEgress = writes.some((w) => (mirrorCodec.decode(w.value).flags & MIRR_F_EGRESS) !== 0);
  for (let id = 1; id < MAX_MIRR && !anyEgress; id++) {
    if (set.has(id) || removed.has(id)) continue;
    const raw = map.lookup(u32Codec.encode(id));
    if (raw !== null && (mirrorCodec.decode(raw).flags & (MIRR_F_VALID | MIRR_F_EGRESS)) === (MIRR_F_VALID | MIRR_F_EGRESS))
      anyEgress = true;
  }
  const slot0 = u32Codec.encode(0);
  const current = map.lookup(slot0);
  const want = mirrorCodec.encode({ ifindex: 0, vlan: 0, flags: anyEgress ? MIRR_F_EGRESS : 0 });
  if (current === null || !current.equals(want)) {
    (anyEgress ? writes : removals).push({ map: 'mirr', key: slot0, value: want, what: 'egress mirror flag (mirr slot 0)' });
  }
  return { writes, removals, exists: (id) => set.has(id) || (installed(id) && !removed.has(id)) };
}

export function planQos(change: ConfigChange, ctx: PlanContext, once: Once): { writes: Write[]; removals: Write[] } {
  const map = ctx.map('qos');
  const slot = (field: string, port: unknown, cls: unknown): Buffer =>
    u32Codec.encode(int(`${field}.port`, port, 0, QOS_PORTS - 1) * QOS_CLASSES + int(`${field}.class`, cls, 0, QOS_CLASSES - 1));
  const writes = list('qos', change.qos).map((c, i) => {
    const field = `qos[${i}]`;
    const key = slot(field, c?.port, c?.class);
    once(field, `QoS entry port ${c.port} class ${c.class}`);
    const dscp = c.dscp === undefined ? undefined : int(`${field}.dscp`, c.dscp, 0, 63);
    return {
      map: 'qos',
      key,
      what: `QoS entry port ${c.port} class ${c.class}`,
      value: qosCodec.encode({
        priority: int(`${field}.priority`, c.priority, 0, 0xffffffff),
        dscp: dscp ?? 0,
        flags: QOS_F_VALID | (dscp === undefined ? 0 : QOS_F_DSCP),
      }),
    };
  });
  const removals = list('remove.qos', change.remove?.qos).map((c, i) => {
    const field = `remove.qos[${i}]`;
    const key = slot(field, c?.port, c?.class);
    once(field, `removal of QoS entry port ${c.port} class ${c.class}`);
    const raw = map.lookup(key);
    if (raw === null || (qosCodec.decode(raw).flags & QOS_F_VALID) === 0) {
      throw new Error(`${field}: no QoS entry for port ${c.port} class ${c.class}`);
    }
    return { map: 'qos', key, value: Buffer.alloc(qosCodec.size), what: `QoS entry port ${c.port} class ${c.class}` };
  });
  return { writes, removals };
}
