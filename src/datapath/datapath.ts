// The datapath control plane: load (pinned maps, reused across restarts), attach to
// interfaces, transactional configuration, readers.
import { rmSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BpfMap,
  BpfObject,
  type BpfProgram,
  type MapLayout,
  type TcAttachment,
  destroyClsact,
  detachTc,
  detachXdp,
  ifindex as nativeIfindex,
  possibleCpus,
  xdpFeatures,
} from '../../native/index.js';
import { checkCodecsAgainstBtf } from './btf-check.js';
import { connectionMapSizes } from './capacity.js';
import { PGM_CT, PGM_SLOW, cfgCodec } from './codecs.js';
import { MAP_CODECS } from './map-codecs.js';
import {
  type AgeResult,
  type CtEntry,
  type CtTimeouts,
  type FcEntry,
  ageConnections,
  checkTimeouts,
  CtSweeper,
  DEFAULT_CT_TIMEOUTS,
  dumpCt,
  dumpFc,
  flushConnections,
} from './ct.js';
import { type LbRuleView, dumpLb } from './lb.js';
import type { LbChange } from './lb-model.js';
import type { DatapathChange } from './model.js';
import { DROP_REASONS, PATHS, type DropReason, type PathCounter } from './names.js';
import { DATAPATH_CHANGE_LB_FIELDS, planChange } from './plan.js';
import { LB_CHANGE_FIELDS, type LbFieldNames } from './lb-plan.js';
import { type Counter, EventReader, dumpMap, readCounters, readNamedCounters } from './readers.js';
import { u32Codec } from './struct-codec.js';
import { ObjectMismatchError } from './object-mismatch.js';
import { tableSizeMismatches } from './table-sizes.js';
import { applyWrites } from './transaction.js';
import { QOS_MIRROR_TUNNEL_MAPS } from './codecs-qos-mirror-tunnel.js';
import { resetPolicerCounters } from './policer.js';
import { type XdpTxPort, planXdpTx } from './xdp-tx.js';
import { forgetPinOwner, recordPinOwner } from './pin-owners.js';

export interface LoadOptions {
  /** Path of build/bpf/fastpath.bpf.o (or a compatible object). */
  object: string;
  /** bpffs directory for the pinned maps; maps already there are reused. */
  pinRoot: string;
  /** Namespace (name under /run/netns) where the interfaces named in config live. */
  netns?: string;
  /** Established connections CT and the flow cache hold however full (capacity.ts);
   *  default the object's 512 Ki entries per map. Maps pinned at another size make the
   *  load fail. */
  connections?: number;
}

export interface AttachOptions {
  ifname: string;
  /** Also attach the XDP entry in this mode. */
  xdp?: 'driver' | 'generic' | 'auto';
  /** Also attach fp_tc_egress at TC egress (egress mirroring). */
  egress?: boolean;
  /** Replace our programs where an earlier instance left them attached (a restart that
   *  keeps state) instead of failing. */
  replace?: boolean;
}

interface Attached {
  ifname: string;
  tc: TcAttachment;
  egress?: TcAttachment;
  xdp?: 'driver' | 'generic' | 'auto';
}

/** The maps a configuration change may touch (compared whole in tests). */
export const CONFIG_MAPS = ['intf', 'intf_arr', 'smac', 'rmac', 'dmac', 'rt_v4', 'rt_v6', 'nh', 'cfg', ...QOS_MIRROR_TUNNEL_MAPS] as const;

export class Datapath {
  private readonly maps = new Map<string, BpfMap>();
  private readonly programs = new Map<string, BpfProgram>();
  private readonly attached: Attached[] = [];
  private readonly ifnames = new Map<number, string>();
  private xdpTxPorts: XdpTxPort[] = [];
  private closed = false;

  private constructor(
    private readonly obj: BpfObject,
    readonly pinRoot: string,
    readonly netns: string | undefined,
  ) {}

  static load(options: LoadOptions): Datapath {
    if (typeof options?.object !== 'string' || options.object === '') throw new Error('object: expected the path of the datapath object');
    if (typeof options.pinRoot !== 'string' || !options.pinRoot.startsWith('/')) {
      throw new Error(`pinRoot: expected an absolute bpffs directory, got ${JSON.stringify(options.pinRoot)}`);
    }
    if (!existsSync(options.object)) throw new Error(`object: ${options.object} does not exist (run make build)`);
    const maxEntries = options.connections === undefined ? undefined : connectionMapSizes(options.connections);
    // Pins this load creates go again if it fails; pins of a running datapath stay.
    const freshPins = !existsSync(options.pinRoot);
    recordPinOwner(options.pinRoot);
    let obj: BpfObject;
    try {
      obj = new BpfObject(options.object, { pinRoot: options.pinRoot, ...(maxEntries === undefined ? {} : { maxEntries }) });
    } catch (e) {
      if (!existsSync(options.pinRoot)) forgetPinOwner(options.pinRoot);
      throw e;
    }
    const dp = new Datapath(obj, options.pinRoot, options.netns);
    try {
      checkCodecsAgainstBtf(MAP_CODECS, (m) => obj.btfLayout(m));
      const sizes = tableSizeMismatches((m) => dp.map(m).info.maxEntries);
      if (sizes.length > 0) {
        throw new ObjectMismatchError(`${options.object}: the object and the control plane disagree:\n  ${sizes.join('\n  ')}`);
      }
      obj.setProgArraySlot('pgm', PGM_SLOW, 'fp_tc_slow');
      obj.setProgArraySlot('pgm', PGM_CT, 'fp_tc_ct');
      dp.initCfg();
    } catch (e) {
      if (freshPins) dp.destroy();
      else dp.close();
      throw e;
    }
    return dp;
  }

  /** Generation 0 is never current, so a zeroed flow-cache value is never valid. */
  private initCfg(): void {
    const key = u32Codec.encode(0);
    const cur = cfgCodec.decode(this.map('cfg').lookup(key) ?? Buffer.alloc(cfgCodec.size));
    if (cur.generation === 0n) this.map('cfg').update(key, cfgCodec.encode({ ...cur, generation: 1n }));
  }

  map(name: string): BpfMap {
    this.assertOpen();
    let m = this.maps.get(name);
    if (m === undefined) {
      m = this.obj.map(name);
      this.maps.set(name, m);
    }
    return m;
  }

  program(name: string): BpfProgram {
    this.assertOpen();
    let p = this.programs.get(name);
    if (p === undefined) {
      p = this.obj.program(name);
      this.programs.set(name, p);
    }
    return p;
  }

  /** BTF layout of a map's key and value (for tools and tests that read raw state). */
  btfLayout(map: string): MapLayout {
    this.assertOpen();
    return this.obj.btfLayout(map);
  }

  /** ifindex in this datapath's namespace; the error names the field. */
  ifindex(ifname: string, field = 'ifname'): number {
    try {
      const index = nativeIfindex({ ifname, netns: this.netns });
      this.ifnames.set(index, ifname);
      return index;
    } catch (e) {
      const where = this.netns === undefined ? "this process's namespace" : `namespace ${this.netns}`;
      throw new Error(`${field}: unknown interface '${ifname}' in ${where} (${(e as Error).message})`, { cause: e });
    }
  }

  /** TC ingress (always) and XDP (when asked) on an interface of this namespace. */
  attach(options: AttachOptions): void {
    this.assertOpen();
    this.ifindex(options.ifname, 'attach.ifname');
    if (this.attached.some((a) => a.ifname === options.ifname)) throw new Error(`attach.ifname: ${options.ifname} is already attached`);
    const replace = options.replace === true;
    const tc = this.program('fp_tc_entry').attachTc({ ifname: options.ifname, netns: this.netns, direction: 'ingress', replace });
    const entry: Attached = { ifname: options.ifname, tc };
    if (options.egress === true) {
      try {
        entry.egress = this.program('fp_tc_egress').attachTc({ ifname: options.ifname, netns: this.netns, direction: 'egress', replace });
      } catch (e) {
        this.detachTcOf(entry);
        throw e;
      }
    }
    if (options.xdp !== undefined) {
      try {
        this.program('fp_xdp_entry').attachXdp({ ifname: options.ifname, netns: this.netns, mode: options.xdp, replace });
        entry.xdp = options.xdp;
      } catch (e) {
        this.detachTcOf(entry);
        throw e;
      }
    }
    this.attached.push(entry);
    this.refreshXdpTx();
  }

  /**
   * Re-reads which configured ports take redirected XDP frames (see xdp-tx.ts) and
   * updates their intf flags; attach and apply call it. Call it again after changing a
   * veth peer's GRO or XDP program outside this process.
   */
  refreshXdpTx(): XdpTxPort[] {
    this.assertOpen();
    const plan = planXdpTx(
      (n) => this.map(n),
      (ifindex) => xdpFeatures({ ifindex, netns: this.netns }),
    );
    applyWrites(plan.writes, (n) => this.map(n));
    this.xdpTxPorts = plan.ports;
    return plan.ports;
  }

  /** What a user must know about the XDP fast path as attached now: each configured port
   *  that XDP cannot redirect frames into (its hits go on to TC), with what to change. */
  xdpWarnings(): string[] {
    const xdp = this.attached.filter((a) => a.xdp !== undefined).map((a) => a.ifname);
    if (xdp.length === 0) return [];
    const seen = new Set<number>();
    const out: string[] = [];
    for (const p of this.xdpTxPorts) {
      if (p.takesXdpFrames === true || seen.has(p.ifindex)) continue;
      seen.add(p.ifindex);
      const name = this.ifnames.get(p.ifindex) ?? `ifindex ${p.ifindex}`;
      out.push(
        p.takesXdpFrames === null
          ? `XDP on ${xdp.join(', ')}: cannot tell whether ${name} takes XDP frames (${p.error ?? 'unknown'}); flows out of ${name} are forwarded by TC`
          : `XDP on ${xdp.join(', ')}: flows out of ${name} are forwarded by TC, not XDP: ${name} takes no redirected XDP frames ` +
              '(a veth takes them only while its peer has GRO on or an XDP program: `ethtool -K <peer> gro on`; a NIC driver may need an XDP program on it)',
      );
    }
    return out;
  }

  private detachTcOf(a: Attached): void {
    // Destroying the clsact qdisc that attach created removes the egress filter too.
    if (a.tc.createdQdisc) {
      destroyClsact({ ifname: a.ifname, netns: this.netns });
      return;
    }
    detachTc({ ifname: a.ifname, netns: this.netns, direction: 'ingress', priority: a.tc.priority, handle: a.tc.handle });
    if (a.egress !== undefined) {
      detachTc({ ifname: a.ifname, netns: this.netns, direction: 'egress', priority: a.egress.priority, handle: a.egress.handle });
    }
  }

  /** Removes what attach put on the interface (the clsact qdisc if attach created it). */
  detach(ifname: string): void {
    const i = this.attached.findIndex((a) => a.ifname === ifname);
    if (i < 0) throw new Error(`detach: ${ifname} is not attached`);
    const a = this.attached.splice(i, 1)[0]!;
    const errors: string[] = [];
    if (a.xdp !== undefined) {
      try {
        detachXdp({ ifname, netns: this.netns, mode: a.xdp });
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    try {
      this.detachTcOf(a);
    } catch (e) {
      errors.push((e as Error).message);
    }
    if (errors.length > 0) throw new Error(`detach ${ifname}: ${errors.join('; ')}`);
  }

  /** Did attaching to ifname create its clsact qdisc (so detaching removes it)? */
  createdQdisc(ifname: string): boolean {
    return this.attached.some((a) => a.ifname === ifname && a.tc.createdQdisc);
  }

  attachedInterfaces(): string[] {
    return this.attached.map((a) => a.ifname);
  }

  /** One transaction: validates the whole change (configuration and LB rules), then writes
   *  it with the connection follow-up and the generation bump; a kernel error mid-way
   *  rolls every write back. */
  apply(change: DatapathChange): void {
    this.applyNamed(change, DATAPATH_CHANGE_LB_FIELDS);
  }

  private applyNamed(change: DatapathChange, lbNames: LbFieldNames): void {
    this.assertOpen();
    const plan = planChange(change, { map: (n) => this.map(n), ifindex: (n, f) => this.ifindex(n, f) }, lbNames);
    applyWrites(plan.writes, (n) => this.map(n));
    // A reused route id must not show the counts of the route it belonged to before.
    const stats = this.map('stats_route');
    const zeros = Array.from({ length: possibleCpus() }, () => Buffer.alloc(stats.info.valueSize));
    for (const id of plan.newRouteIds) stats.updatePerCpu(u32Codec.encode(id), zeros);
    resetPolicerCounters(this.map('stats_pol'), plan.newPolicerIds, possibleCpus());
    this.refreshXdpTx();
  }

  /** LB rules alone: the same transaction as apply. */
  applyLb(change: LbChange): void {
    this.applyNamed(
      {
        ...(change.rules !== undefined ? { lbRules: change.rules } : {}),
        ...(change.remove !== undefined ? { removeLbRules: change.remove } : {}),
        ...(change.flushInactive !== undefined ? { flushInactive: change.flushInactive } : {}),
      },
      LB_CHANGE_FIELDS,
    );
  }

  lbRules(): LbRuleView[] {
    return dumpLb((n) => this.map(n));
  }

  /** Both entries of every tracked connection, states decoded. */
  connections(): CtEntry[] {
    return dumpCt((n) => this.map(n));
  }

  flowCache(): FcEntry[] {
    return dumpFc((n) => this.map(n));
  }

  /** One ageing sweep (see ct.ts); nowNs defaults to the kernel's monotonic clock. */
  ageConnections(timeouts: CtTimeouts, nowNs?: bigint): AgeResult {
    checkTimeouts(timeouts);
    return ageConnections((n) => this.map(n), timeouts, nowNs);
  }

  /** A periodic ageing sweeper over this datapath's maps; stop() it before close(). */
  sweeper(timeouts: CtTimeouts = DEFAULT_CT_TIMEOUTS, intervalMs = 1000): CtSweeper {
    return new CtSweeper((n) => this.map(n), timeouts, intervalMs);
  }

  /** Deletes all connection state (tests, benchmark resets). */
  flushConnections(): void {
    flushConnections((n) => this.map(n));
  }

  generation(): bigint {
    const raw = this.map('cfg').lookup(u32Codec.encode(0));
    return raw === null ? 0n : cfgCodec.decode(raw).generation;
  }

  drops(): Record<DropReason, Counter> {
    return readNamedCounters(this.map('stats_drop'), DROP_REASONS);
  }

  paths(): Record<PathCounter, Counter> {
    return readNamedCounters(this.map('stats_path'), PATHS);
  }

  /** Per ifindex / route id / next-hop id, non-zero only. */
  counters(map: 'stats_intf' | 'stats_route' | 'stats_nh'): Map<number, Counter> {
    return readCounters(this.map(map));
  }

  events(): EventReader {
    return new EventReader(this.map('events'));
  }

  /** Every configuration map, key hex -> value hex. */
  dumpConfig(): Record<string, Map<string, string>> {
    const out: Record<string, Map<string, string>> = {};
    for (const name of CONFIG_MAPS) out[name] = dumpMap(this.map(name));
    return out;
  }

  /** Releases the object but leaves its programs attached and its maps pinned: the
   *  datapath keeps forwarding until a new instance takes over (attach with replace). */
  release(): void {
    this.attached.length = 0;
    this.close();
  }

  /** Detaches everything attached by this instance and releases the object (pins stay). */
  close(): void {
    if (this.closed) return;
    const errors: string[] = [];
    for (const a of [...this.attached]) {
      try {
        this.detach(a.ifname);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    for (const m of this.maps.values()) m.close();
    for (const p of this.programs.values()) p.close();
    this.maps.clear();
    this.programs.clear();
    this.obj.close();
    this.closed = true;
    if (errors.length > 0) throw new Error(`close: ${errors.join('; ')}`);
  }

  /** close() and remove the pin directory. */
  destroy(): void {
    try {
      this.close();
    } finally {
      removePins(this.pinRoot);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('datapath is closed');
  }
}

/** Removes every pin under root and root itself. */
export function removePins(root: string): void {
  forgetPinOwner(root);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) rmSync(join(root, name), { force: true });
  rmSync(root, { recursive: true, force: true });
}
