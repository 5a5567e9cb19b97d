// Types of the native addon (native/build/Release/fastpath.node).
// The addon is mechanism only: it opens objects, moves bytes in and out of maps, attaches
// programs and runs them. Every layout and policy decision lives in TypeScript.

/** Every exception thrown by the addon. */
export interface NativeError extends Error {
  /** Positive errno of the failing call (0 when the failure is not a system error). */
  errno: number;
  /** Symbolic errno ('ENOENT', 'EINVAL', ...) or 'EFASTPATH' for argument errors. */
  code: string;
  /** The operation that failed, e.g. 'bpf_object__load', 'bpf_map_update_elem'. */
  syscall: string;
  /** libbpf's own messages printed during the failing call, if any. */
  libbpfLog?: string;
  /** The verifier's log when a program load was rejected. */
  verifierLog?: string;
}

/** Where an interface lives: a name under /run/netns, an absolute path to a netns file
 *  (/proc/PID/ns/net), or undefined for the caller's own namespace. The addon enters the
 *  namespace with setns on the calling thread for the duration of one call and always
 *  returns to the original namespace, also on error. */
export type NetnsRef = string | undefined;

export interface OpenOptions {
  /** bpffs directory for maps declared with pinning = LIBBPF_PIN_BY_NAME. Created if
   *  missing. Maps already pinned there are reused (their contents survive a reload).
   *  Without pinRoot nothing is pinned (libbpf's default of /sys/fs/bpf is not used). */
  pinRoot?: string;
  /** Kernel verifier log level used on load (1 or 2). A rejected program always carries
   *  the log; a successful load keeps none. Default 1. */
  verifierLogLevel?: number;
  /** Entries of the named maps, set before load in place of the object's max_entries.
   *  A map already pinned under pinRoot is reused only when its size matches (libbpf
   *  refuses it otherwise). Throws ENOENT naming a map the object lacks. */
  maxEntries?: Record<string, number>;
}

export interface ProgramInfo {
  name: string;
  /** ELF section, e.g. 'tc', 'xdp'. */
  section: string;
  /** Kernel program type, e.g. 'sched_cls', 'xdp'. */
  type: string;
  fd: number;
  id: number;
}

export interface MapInfo {
  name: string;
  /** Kernel map type name, e.g. 'hash', 'percpu_array', 'lpm_trie', 'prog_array'. */
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  fd: number;
  id: number;
  /** Path the map is pinned at, or null. */
  pinPath: string | null;
  /** True for per-CPU maps: use lookupPerCpu/updatePerCpu. */
  perCpu: boolean;
  /** Bytes per entry in the flat value buffers of the batch calls: valueSize for plain
   *  maps, roundup(valueSize, 8) * possibleCpus for per-CPU maps. */
  valueStride: number;
}

export interface BtfMember {
  name: string;
  /** Byte offset inside the parent type. */
  offset: number;
  /** Bit offset inside the parent type (offset * 8 unless a bitfield). */
  bitOffset: number;
  /** Width in bits for bitfields, else 0. */
  bitSize: number;
  size: number;
  type: BtfType;
}

export interface BtfType {
  /** Type name ('' for anonymous types). */
  name: string;
  kind: 'int' | 'struct' | 'union' | 'array' | 'enum' | 'ptr' | 'float' | 'unknown';
  size: number;
  /** Struct/union members, in declaration order. */
  members?: BtfMember[];
  /** For arrays: element type and element count. */
  element?: BtfType;
  length?: number;
}

export interface MapLayout {
  key: BtfType;
  value: BtfType;
}

export interface TestRunOptions {
  /** Packet bytes (>= 14 for TC / XDP). */
  data?: Buffer;
  /** Room for the output packet; default data.length + 512 (0 with live frames, which
   *  allow no data out). 0 = no data out. */
  dataSizeOut?: number;
  /** struct __sk_buff (TC) or struct xdp_md (XDP) bytes. */
  ctx?: Buffer;
  /** Room for the output ctx; default ctx.length when ctx is given. */
  ctxSizeOut?: number;
  /** Iterations; duration is the kernel's mean per iteration. Default 1. */
  repeat?: number;
  /** BPF_F_TEST_* flags (e.g. BPF_F_TEST_XDP_LIVE_FRAMES = 2). */
  flags?: number;
  /** Live-frames batch size. */
  batchSize?: number;
  /** BPF_F_TEST_RUN_ON_CPU target (only meaningful with that flag). */
  cpu?: number;
  /** Namespace to run in (entered with setns for the call, as for attach). Matters for
   *  live frames: ctx's ingress_ifindex and XDP_TX/XDP_REDIRECT refer to interfaces of the
   *  namespace the run happens in. */
  netns?: NetnsRef;
}

export interface TestRunResult {
  /** Program return value (TC_ACT_* / XDP_*). */
  retval: number;
  /** Mean ns per iteration as the kernel measured it. */
  duration: number;
  /** Output packet, or null when no data out was asked for / produced. */
  data: Buffer | null;
  /** Output ctx, or null. */
  ctx: Buffer | null;
}

export interface TcTarget {
  ifname: string;
  netns?: NetnsRef;
  direction: 'ingress' | 'egress';
  /** tc filter priority (default 1) and handle (default 1). */
  priority?: number;
  handle?: number;
}

export interface TcAttachOptions extends TcTarget {
  /** Replace an existing filter with the same handle/priority (default false). */
  replace?: boolean;
}

export interface TcAttachment {
  ifindex: number;
  direction: 'ingress' | 'egress';
  priority: number;
  handle: number;
  /** True when this call created the clsact qdisc (the caller should destroy it). */
  createdQdisc: boolean;
}

export interface XdpTarget {
  ifname: string;
  netns?: NetnsRef;
  /** 'driver' = XDP_FLAGS_DRV_MODE, 'generic' = XDP_FLAGS_SKB_MODE, 'auto' = no flag. */
  mode?: 'driver' | 'generic' | 'auto';
}

export interface XdpAttachOptions extends XdpTarget {
  /** Replace a program already attached (default false: EBUSY if one is there). */
  replace?: boolean;
}

export interface BatchLookupResult {
  /** count * keySize bytes. */
  keys: Buffer;
  /** count * valueStride bytes. */
  values: Buffer;
  count: number;
}

export class BpfObject {
  /** Opens and loads an ELF object; maps with LIBBPF_PIN_BY_NAME are pinned under
   *  options.pinRoot (and reused if already pinned). Throws NativeError. */
  constructor(path: string, options?: OpenOptions);
  readonly path: string;
  readonly closed: boolean;
  programs(): ProgramInfo[];
  maps(): MapInfo[];
  /** Throws NativeError code 'ENOENT' naming the map when it does not exist. */
  map(name: string): BpfMap;
  /** Throws NativeError code 'ENOENT' naming the program when it does not exist. */
  program(name: string): BpfProgram;
  /** Put program progName in slot index of the prog-array map mapName. */
  setProgArraySlot(mapName: string, index: number, progName: string): void;
  /** BTF layout of a map's key and value types. Throws when the map has no BTF types. */
  btfLayout(mapName: string): MapLayout;
  /** Releases the object, its programs and its map fds (pins stay). Idempotent. Maps and
   *  programs handed out earlier keep their own fds and stay usable until closed. */
  close(): void;
}

export class BpfMap {
  /** Opens a pinned map by path. */
  static openPinned(path: string): BpfMap;
  readonly info: MapInfo;
  /** Value bytes or null when the key is absent. Throws on a per-CPU map. */
  lookup(key: Buffer, flags?: number): Buffer | null;
  /** One Buffer of valueSize per possible CPU, or null when absent. */
  lookupPerCpu(key: Buffer): Buffer[] | null;
  /** flags: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2, BPF_F_LOCK 4. */
  update(key: Buffer, value: Buffer, flags?: number): void;
  /** values.length must equal the number of possible CPUs. */
  updatePerCpu(key: Buffer, values: Buffer[], flags?: number): void;
  /** Returns false when the key was absent. */
  delete(key: Buffer): boolean;
  /** The key after `key` (or the first key when null); null at the end. */
  nextKey(key: Buffer | null): Buffer | null;
  /** All keys, in map order. */
  keys(): Buffer[];
  /** All entries, by BPF_MAP_LOOKUP_BATCH in chunks of `chunk` (default 4096). */
  batchLookup(chunk?: number): BatchLookupResult;
  /** keys: n * keySize bytes, values: n * valueStride bytes. Returns n. */
  batchUpdate(keys: Buffer, values: Buffer, flags?: number): number;
  /** keys: n * keySize bytes. Returns the number deleted. */
  batchDelete(keys: Buffer): number;
  /** Pin at path / remove the pin at path. */
  pin(path: string): void;
  unpin(path: string): void;
  close(): void;
}

export class BpfProgram {
  readonly name: string;
  readonly type: string;
  readonly fd: number;
  testRun(options: TestRunOptions): TestRunResult;
  /** Like testRun, but on a worker thread pinned to `options.cpu` when given (for live
   *  frames generators); the event loop keeps running. */
  testRunAsync(options: TestRunOptions & { pinCpu?: number }): Promise<TestRunResult>;
  attachTc(options: TcAttachOptions): TcAttachment;
  attachXdp(options: XdpAttachOptions): { ifindex: number };
  close(): void;
}

export class RingBuffer {
  constructor(map: BpfMap);
  /** Waits up to timeoutMs (0 = do not wait) and returns the records consumed. */
  poll(timeoutMs: number): Buffer[];
  close(): void;
}

/** Detaches the tc filter at (handle, priority); false when nothing was attached there. */
export function detachTc(target: TcTarget): boolean;
/** Removes the clsact qdisc (and with it every tc filter on it); false when absent. */
export function destroyClsact(target: { ifname: string; netns?: NetnsRef }): boolean;
/** Detaches the XDP program in the given mode; false when none was attached. */
export function detachXdp(target: XdpTarget): boolean;
/** The XDP program id attached to an interface in the given mode (0 = none). */
export function xdpQuery(target: XdpTarget): number;
/** The device's XDP feature bits (the kernel's netdev_xdp_act: 1 basic, 2 redirect, 4
 *  ndo-xmit, 8 xsk zero-copy, 16 hw offload, 32 rx-sg, 64 ndo-xmit-sg), read over the
 *  'netdev' generic netlink family (kernel 6.3+). For a veth, ndo-xmit is set only while its
 *  peer can receive XDP frames (the peer has an XDP program or GRO on). Give ifname or
 *  ifindex. */
export function xdpFeatures(target: { ifname?: string; ifindex?: number; netns?: NetnsRef }): number;
/** Sends whole Ethernet frames out of an interface with an AF_PACKET socket. Returns
 *  the number of frames sent. */
export function sendFrames(target: { ifname: string; netns?: NetnsRef }, frames: Buffer[]): number;
/** ifindex of an interface inside a namespace; throws ENODEV naming it when absent. */
export function ifindex(target: { ifname: string; netns?: NetnsRef }): number;
/** Number of possible CPUs (the per-CPU value count). */
export function possibleCpus(): number;
/** The addon's libbpf version, e.g. '1.1'. */
export const libbpfVersion: string;
