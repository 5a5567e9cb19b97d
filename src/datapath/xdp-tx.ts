// Which ports take redirected XDP frames. The kernel's ndo-xmit feature bit of every
// configured interface is copied into its intf flags (INTF_F_XDP_TX); a flow-cache entry
// records its out port's bit when cached, and the XDP entry leaves hits out of other
// ports to TC instead of redirecting frames that would be dropped. A veth has the bit
// only while its peer has GRO on or an XDP program, so the bits are re-read whenever the
// datapath is attached or configured; a change bumps the generation so cached entries
// are rebuilt with the new bit.
import type { BpfMap } from '../../native/index.js';
import { INTF_F_XDP_TX, INTF_F_XDP_TX_ON, cfgCodec, intfCodec, intfKeyCodec } from './codecs.js';
import { withIntfMirror } from './intf-mirror.js';
import { u32Codec } from './struct-codec.js';
import type { Write } from './write.js';

/** netdev_xdp_act bits (include/uapi/linux/netdev.h). */
export const XDP_ACT_NDO_XMIT = 4;

export interface XdpTxPort {
  ifindex: number;
  vlan: number;
  /** null when the kernel would not say (no 'netdev' netlink family: kernel < 6.3). */
  takesXdpFrames: boolean | null;
  error?: string;
}

export interface XdpTxPlan {
  ports: XdpTxPort[];
  writes: Write[];
}

/** The intf writes (and the generation bump) that bring every port's bit up to date. */
export function planXdpTx(map: (name: string) => BpfMap, featuresOf: (ifindex: number) => number): XdpTxPlan {
  const intf = map('intf');
  const ports: XdpTxPort[] = [];
  const changed: Write[] = [];
  const features = new Map<number, { bits: number | null; error?: string }>();
  for (const key of intf.keys()) {
    const raw = intf.lookup(key);
    if (raw === null) continue;
    const k = intfKeyCodec.decode(key);
    let f = features.get(k.ifindex);
    if (f === undefined) {
      try {
        f = { bits: featuresOf(k.ifindex) };
      } catch (e) {
        f = { bits: null, error: (e as Error).message };
      }
      features.set(k.ifindex, f);
    }
    const v = intfCodec.decode(raw);
    const forced = (v.flags & INTF_F_XDP_TX_ON) !== 0;
    const takes = forced ? true : f.bits === null ? null : (f.bits & XDP_ACT_NDO_XMIT) !== 0;
    ports.push({
      ifindex: k.ifindex,
      vlan: k.vlan,
      takesXdpFrames: takes,
      ...(f.error !== undefined && !forced ? { error: f.error } : {}),
    });
    const flags = takes === true ? v.flags | INTF_F_XDP_TX : v.flags & ~INTF_F_XDP_TX;
    if (flags === v.flags) continue;
    changed.push({
      map: 'intf',
      key,
      value: intfCodec.encode({ ...v, flags }),
      what: `XDP frame capability of ifindex ${k.ifindex} vlan ${k.vlan}`,
    });
  }
  if (changed.length === 0) return { ports, writes: [] };
  const cfgKey = u32Codec.encode(0);
  const cfg = cfgCodec.decode(map('cfg').lookup(cfgKey) ?? Buffer.alloc(cfgCodec.size));
  const bump: Write = { map: 'cfg', key: cfgKey, what: 'generation', value: cfgCodec.encode({ ...cfg, generation: cfg.generation + 1n }) };
  return { ports, writes: [...withIntfMirror(changed), bump] };
}
