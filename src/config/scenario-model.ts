// A conformance scenario file: topology, the datapath section, steps and expectations.
// The loader (src/conformance/loader.ts) turns a valid file into the run-time Scenario.
import Type, { type Static } from 'typebox';
import { DatapathSection } from './datapath-model.js';
import { Layers } from './packet-model.js';
import { Count, CounterMap, LinkEnd, Modes, Port, WeekMs, strict, uint } from './primitives.js';

const opt = Type.Optional;
const Id = Type.String({ pattern: '^[A-Za-z0-9_-]+$' });
const Proto = Type.Enum(['tcp', 'udp', 'sctp']);

/** A record that holds exactly one of `kinds` (besides its common fields). */
function oneKindOf(kinds: readonly string[]): { oneOf: { required: string[] }[] } {
  return { oneOf: kinds.map((k) => ({ required: [k] })) };
}

export const ServerStep = strict(
  {
    host: Type.String({ minLength: 1 }),
    proto: Type.Enum(['tcp', 'udp', 'sctp', 'http', 'bulk']),
    port: Port,
    address: opt(Type.String()),
  },
  {
    description:
      "A server answering with the host's name (wire mode only): tcp reads a line, udp each datagram, sctp our raw-socket peer, http every request (body = the name), bulk a whole upload (answer: the name and the bytes received).",
  },
);

export const SendStep = strict(
  {
    id: Id,
    from: Type.String({ minLength: 1 }),
    to: Type.String({ minLength: 1 }),
    proto: Proto,
    port: Port,
    count: opt(uint(1, 10000)),
    concurrency: opt(uint(1, 256)),
    timeoutMs: opt(uint(100, 60000)),
    size: opt(
      Type.Integer({
        minimum: 1,
        maximum: 65000,
        description: 'Bytes of each request (tcp/udp); larger than the MTU, a UDP datagram leaves the client in IP fragments.',
      }),
    ),
  },
  { description: 'Real flows from a host agent (wire mode only): count connections (tcp) or datagrams each on its own socket (udp).' },
);

export const HttpStep = strict(
  {
    id: Id,
    from: Type.String({ minLength: 1 }),
    url: Type.String({ pattern: '^http://', description: 'e.g. http://10.0.9.100:80/ or http://[fd00:9::100]:80/' }),
    count: opt(uint(1, 1000)),
    timeoutMs: opt(Type.Integer({ minimum: 100, maximum: 60000, description: 'Per request; default 5000.' })),
  },
  {
    description:
      "HTTP requests with a real client (curl), each on a new connection, one after the other (wire mode only). The answers (the body, a server name) count like a send step's for answers expectations. The step fails unless every request is answered and the flow-cache fast path (TC or XDP) carried packets of it.",
  },
);

export const BulkStep = strict(
  {
    id: Id,
    from: Type.String({ minLength: 1 }),
    to: Type.String({ minLength: 1 }),
    port: Port,
    mib: Type.Integer({ minimum: 1, maximum: 1024, description: 'MiB to upload.' }),
    timeoutMs: opt(Type.Integer({ minimum: 1000, maximum: 120000, description: 'Whole transfer; default 30000.' })),
  },
  {
    description:
      "A bulk TCP upload over one real connection (kernel sockets, the cell's offloads) to a bulk server (wire mode only). Fails unless the transfer completes, the server received exactly the bytes sent and the flow-cache fast path (TC or XDP; XDP itself in cells where XDP forwards) carried packets of it. The answer (server name) counts for answers expectations.",
  },
);

export const VERDICTS = ['forward', 'stack', 'drop'] as const;

export const FieldMask = Type.Array(strict({ layer: Type.String({ minLength: 1 }), field: opt(Type.String({ minLength: 1 })) }));

export const InjectStep = strict(
  {
    name: opt(Type.String({ minLength: 1 })),
    from: LinkEnd,
    packet: Layers,
    expect: strict({
      verdict: Type.Enum([...VERDICTS]),
      out: opt(Type.String({ ...LinkEnd, description: 'Where a forwarded frame must arrive (wire mode captures there).' })),
      packet: opt(Layers),
      mask: opt(FieldMask),
      fields: opt(
        Type.Unsafe<Record<string, string | number | boolean>>({
          type: 'object',
          minProperties: 1,
          description: "Fields of the forwarded packet, '<layer>.<field>' (layer: a type like ipv4, or ipv4[1] for the second) -> value.",
          propertyNames: { pattern: '^[a-z0-9]+(\\[\\d+\\])?\\.[A-Za-z0-9_.]+$' },
          additionalProperties: { type: ['string', 'number', 'boolean'] },
        }),
      ),
    }),
  },
  {
    description:
      "A crafted frame sent from a host interface linked to the dut (wire: l2-send there; packet: test-run as if received on the dut's end of that link).",
  },
);

export const CtTimeoutsPart = strict(
  {
    tcpHandshakeMs: opt(WeekMs),
    tcpEstablishedMs: opt(WeekMs),
    tcpClosingMs: opt(WeekMs),
    udpMs: opt(WeekMs),
    udpEstablishedMs: opt(WeekMs),
    icmpMs: opt(WeekMs),
    sctpHandshakeMs: opt(WeekMs),
    sctpEstablishedMs: opt(WeekMs),
  },
  { minProperties: 1 },
);

export const AgeStep = strict(
  {
    afterMs: WeekMs,
    timeouts: opt(CtTimeoutsPart),
    expired: opt(Count),
    remaining: opt(Count),
  },
  { description: 'One connection-ageing sweep as if afterMs had passed, with the default timeouts or the ones given.' },
);

export const PolicerStateStep = strict(
  {
    id: uint(1, 4095),
    cTokens: uint(0),
    eTokens: uint(0),
  },
  { description: "Test control (packet mode only): sets a policer's token buckets and freezes their refill." },
);

export const FloodStep = strict(
  {
    id: Id,
    from: LinkEnd,
    packet: Layers,
    bytesPerSec: opt(Type.Number({ exclusiveMinimum: 0, description: 'Offered bytes per second, counted as IP total length.' })),
    packetsPerSec: opt(Type.Number({ exclusiveMinimum: 0 })),
    durationMs: uint(100, 10000),
    out: LinkEnd,
  },
  {
    ...oneKindOf(['bytesPerSec', 'packetsPerSec']),
    description: 'Wire mode only: the crafted frame sent at an offered rate for durationMs, captured at out.',
  },
);

export const RateAmount = strict(
  {
    bytesPerSec: opt(Type.Number({ minimum: 0 })),
    bytes: opt(Type.Number({ minimum: 0 })),
  },
  { minProperties: 1, description: "An amount of bytes that grows with the flood's elapsed time t: bytesPerSec·t + bytes." },
);

export const COLOURS = ['green', 'yellow', 'red'] as const;

export const FloodExpectation = strict(
  {
    id: Type.String({ minLength: 1 }),
    tolerance: RateAmount,
    received: opt(RateAmount),
    policer: opt(uint(1, 4095)),
    green: opt(RateAmount),
    yellow: opt(RateAmount),
    red: opt(RateAmount),
    greenYellow: opt(RateAmount),
    passes: opt(Type.Array(Type.Enum([...COLOURS]), { minItems: 1, uniqueItems: true })),
  },
  { description: 'Wire mode only: what a flood step measured, each amount checked as expected ± tolerance.' },
);

export const STEP_KINDS = ['server', 'send', 'inject', 'config', 'wait', 'age', 'policerState', 'flood', 'http', 'bulk'] as const;

export const StepEntry = strict(
  {
    modes: opt(Modes),
    server: opt(ServerStep),
    send: opt(SendStep),
    inject: opt(InjectStep),
    config: opt(DatapathSection),
    wait: opt(strict({ ms: uint(0, 60000) })),
    age: opt(AgeStep),
    policerState: opt(PolicerStateStep),
    flood: opt(FloodStep),
    http: opt(HttpStep),
    bulk: opt(BulkStep),
  },
  oneKindOf(STEP_KINDS),
);

const Weights = Type.Record(Type.String(), Type.Number({ minimum: 0 }), { minProperties: 1 });

export const Answers = strict(
  {
    send: Type.String({ minLength: 1 }),
    errors: opt(Count),
    sequence: opt(Type.Array(Type.String(), { description: 'Exact order of answering servers.' })),
    counts: opt(CounterMap),
    distribution: opt(strict({ weights: Weights, tolerance: Type.Number({ exclusiveMinimum: 0, maximum: 1 }) })),
    chiSquare: opt(strict({ weights: Weights, significance: Type.Number({ exclusiveMinimum: 0, maximum: 0.5 }) })),
  },
  { description: "Which servers answered a send step's flows." },
);

export const ColourCounts = strict({ green: opt(Count), yellow: opt(Count), red: opt(Count) }, { minProperties: 1 });

export const EXPECTATION_KINDS = ['paths', 'drops', 'nextHops', 'interfaces', 'events', 'answers', 'ct', 'policers', 'flood'] as const;

export const ExpectationEntry = strict(
  {
    modes: opt(Modes),
    paths: opt(Type.Record(Type.String(), Count, { description: 'Packet deltas of stats_path over the scenario.' })),
    drops: opt(Type.Record(Type.String(), Count, { description: 'Packet deltas of stats_drop over the scenario.' })),
    nextHops: opt(Type.Record(Type.String(), Count, { description: 'Packet deltas per next-hop id.' })),
    interfaces: opt(
      Type.Record(Type.String(), Count, {
        description: "Packet deltas of the datapath's per-interface counter (stats_intf): what it received on each named dut interface.",
      }),
    ),
    events: opt(
      Type.Record(Type.String(), Count, {
        description: 'Events the datapath raised over the scenario, by type (mac-learn, route-miss, nh-miss).',
      }),
    ),
    answers: opt(Answers),
    ct: opt(strict({ count: opt(Count), states: opt(CounterMap), flags: opt(CounterMap) }, { minProperties: 1 })),
    policers: opt(Type.Record(Type.String(), ColourCounts, { minProperties: 1 })),
    flood: opt(FloodExpectation),
  },
  oneKindOf(EXPECTATION_KINDS),
);

export const WireOptions = strict(
  {
    quietHosts: opt(
      Type.Array(Type.String({ minLength: 1 }), {
        uniqueItems: true,
        description: 'Hosts (not the dut) whose kernels drop incoming TCP, UDP and SCTP.',
      }),
    ),
    cells: opt(
      Type.Array(Type.String({ pattern: '^(tc|xdp-native|xdp-generic)/(on|off)(/no-gro)?$' }), {
        uniqueItems: true,
        minItems: 1,
        description:
          "The wire-mode cells (HOOK/OFFLOADS[/no-gro]) this scenario runs in; default every cell of the run's matrix (fastpath conformance --cells).",
      }),
    ),
    allowHostCounters: opt(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]+:[A-Za-z0-9]+\\.[A-Za-z0-9]+$' }), {
        uniqueItems: true,
        description:
          "host:Group.Counter kernel counters (e.g. client:Tcp.InCsumErrors) allowed to rise; any other rise of a host's checksum- or header-error counter fails the run.",
      }),
    ),
    dutTxChecksum: opt(
      Type.Literal('software', {
        description:
          "software: tx checksum offload off at the dut's end of every dut link (ethtool -K tx off), whatever the cell's offloads. The dut's kernel then completes the checksum of each packet the datapath forwards still partial (CHECKSUM_PARTIAL, from a sender with offloads on), and the receiving host checks it, so a wrong partial sum shows as a host checksum error. In cells with offloads off it is off already.",
      }),
    ),
  },
  { description: 'Wire-mode options.' },
);

export const ScenarioFile = strict(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$', description: 'Unique; also the results directory name.' }),
    description: Type.String({ minLength: 1 }),
    tags: opt(Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }))),
    modes: Type.Array(Type.Enum(['wire', 'packet']), {
      minItems: 1,
      uniqueItems: true,
      description: 'wire: real packets through veth; packet: BPF_PROG_TEST_RUN with exact bytes.',
    }),
    timeoutMs: opt(uint(1000, 600000)),
    wire: opt(WireOptions),
    topology: Type.Union([Type.String({ minLength: 1 }), Type.Object({})], {
      description:
        'A file (relative to the repository root, or to this file when it starts with ./ or ../) or an inline netns topology description.',
    }),
    dut: Type.String({ minLength: 1, description: 'The host whose namespace the datapath is loaded in and attached to.' }),
    datapath: DatapathSection,
    steps: Type.Array(StepEntry, { minItems: 1 }),
    expect: opt(Type.Array(ExpectationEntry)),
  },
  {
    title: 'fastpath conformance scenario',
    description: 'One scenario: a topology, the datapath configuration, steps, and what must be observed.',
  },
);

export type ScenarioFile = Static<typeof ScenarioFile>;
export type StepEntry = Static<typeof StepEntry>;
export type ExpectationEntry = Static<typeof ExpectationEntry>;
export type FloodStepEntry = Static<typeof FloodStep>;
export type FloodExpectation = Static<typeof FloodExpectation>;
export type RateAmount = Static<typeof RateAmount>;
export type Answers = Static<typeof Answers>;
export type AgeStepEntry = Static<typeof AgeStep>;
export type PolicerStateStep = Static<typeof PolicerStateStep>;
export type ServerStep = Static<typeof ServerStep>;
export type SendStep = Static<typeof SendStep>;
export type HttpStep = Static<typeof HttpStep>;
export type BulkStep = Static<typeof BulkStep>;
export type WireOptions = Static<typeof WireOptions>;
