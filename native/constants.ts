// Kernel constants used with the addon (values from linux/bpf.h and linux/pkt_cls.h).

/** bpf_map_update_elem flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

/** TC program verdicts. */
export const TC_ACT_UNSPEC = -1;
export const TC_ACT_OK = 0;
export const TC_ACT_SHOT = 2;
export const TC_ACT_PIPE = 3;
export const TC_ACT_REDIRECT = 7;

/** XDP program verdicts. */
export const XDP_ABORTED = 0;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const XDP_TX = 3;
export const XDP_REDIRECT = 4;

/** BPF_PROG_TEST_RUN flags. */
export const BPF_F_TEST_RUN_ON_CPU = 1;
export const BPF_F_TEST_XDP_LIVE_FRAMES = 2;

const TC_NAMES: Record<number, string> = {
  [TC_ACT_UNSPEC]: 'TC_ACT_UNSPEC',
  [TC_ACT_OK]: 'TC_ACT_OK',
  1: 'TC_ACT_RECLASSIFY',
  [TC_ACT_SHOT]: 'TC_ACT_SHOT',
  [TC_ACT_PIPE]: 'TC_ACT_PIPE',
  4: 'TC_ACT_STOLEN',
  5: 'TC_ACT_QUEUED',
  6: 'TC_ACT_REPEAT',
  [TC_ACT_REDIRECT]: 'TC_ACT_REDIRECT',
  8: 'TC_ACT_TRAP',
};

const XDP_NAMES: Record<number, string> = {
  [XDP_ABORTED]: 'XDP_ABORTED',
  [XDP_DROP]: 'XDP_DROP',
  [XDP_PASS]: 'XDP_PASS',
  [XDP_TX]: 'XDP_TX',
  [XDP_REDIRECT]: 'XDP_REDIRECT',
};

/** Symbolic name of a program's return value, e.g. retvalName('xdp', 3) = 'XDP_TX'.
 *  progType is the kernel type name ('xdp', 'sched_cls', 'sched_act'). A test run reports
 *  the u32 retval, so TC_ACT_UNSPEC arrives as 4294967295 and is mapped back. */
export function retvalName(progType: string, n: number): string {
  if (progType === 'xdp') return XDP_NAMES[n] ?? `XDP(${n})`;
  if (progType === 'sched_cls' || progType === 'sched_act') {
    const signed = n > 0x7fffffff ? n - 0x100000000 : n;
    return TC_NAMES[signed] ?? `TC_ACT(${signed})`;
  }
  return String(n);
}
