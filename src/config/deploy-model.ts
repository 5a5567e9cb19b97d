// A deployment config file (`fastpath dp up CONFIG`): where the datapath runs and how it is
// attached, connection ageing, and the datapath's configuration as a state to be in (the
// same model as a scenario's datapath section).
import Type, { type Static } from 'typebox';
import { DatapathState } from './datapath-model.js';
import { Address, Ifname, strict, uint } from './primitives.js';
import { CtTimeoutsPart } from './scenario-model.js';

const opt = Type.Optional;

export const XDP_ATTACH_MODES = ['none', 'native', 'generic'] as const;

export const AttachEntry = strict(
  {
    ifname: Ifname,
    xdp: opt(
      Type.Enum([...XDP_ATTACH_MODES], {
        description:
          'none (default): TC ingress only; native: also the XDP entry in the driver; generic: also the XDP entry in the kernel (any device, slower).',
      }),
    ),
    egress: opt(Type.Boolean({ description: 'Also attach TC egress (needed for egress mirroring).' })),
  },
  { description: 'An interface to attach the datapath to; it must be one of datapath.interfaces.' },
);

export const DeployConfig = strict(
  {
    pinRoot: opt(
      Type.String({
        pattern: '^/sys/fs/bpf/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$',
        description: 'bpffs directory for the pinned maps (default /sys/fs/bpf/fastpath); --pin-root overrides it.',
      }),
    ),
    attach: Type.Array(AttachEntry, { minItems: 1 }),
    addresses: opt(
      Type.Array(Address, {
        uniqueItems: true,
        description: "The host's own addresses: each gives a local /32 or /128 route, so traffic to them reaches the host stack.",
      }),
    ),
    ct: opt(
      strict({
        timeouts: opt(CtTimeoutsPart),
        sweepIntervalMs: opt(uint(100, 3_600_000)),
      }),
    ),
    datapath: DatapathState,
  },
  { title: 'fastpath deployment config', description: 'What `fastpath dp up` loads, attaches and applies.' },
);

export type AttachEntry = Static<typeof AttachEntry>;
export type DeployConfig = Static<typeof DeployConfig>;
