// The scenario model (what a validated scenario file holds) and the results of running one.
// The file's fields and their types come from the configuration model (src/config); here
// they are arranged for running: steps and expectations tagged by kind, layers as bytes.
import type {
  AgeStepEntry,
  Answers,
  BulkStep,
  DatapathSection,
  HttpStep,
  PolicerStateStep,
  SendStep,
  ServerStep,
  WireOptions,
} from '../config/index.js';
import type { Count } from '../config/primitives.js';
import type { FieldMask, LayerSpec } from '../packet/index.js';
import type { TopologyDescription } from '../../netns/index.js';
import type { FloodExpectation, FloodStep } from './flood-types.js';

export type {
  AgeStepEntry as AgeStep,
  Answers,
  BulkStep,
  Count,
  DatapathSection,
  HttpStep,
  PolicerStateStep,
  SendStep,
  ServerStep,
  WireOptions,
};

export type Mode = 'wire' | 'packet';
export const MODES: readonly Mode[] = ['packet', 'wire'];

export type Verdict = 'forward' | 'stack' | 'drop';

export interface InjectStep {
  name?: string;
  /** host:ifname, linked to the dut. */
  from: string;
  packet: LayerSpec[];
  expect: {
    verdict: Verdict;
    out?: string;
    packet?: LayerSpec[];
    mask?: FieldMask[];
    fields?: Record<string, string | number | boolean>;
  };
}

export type Step = { modes?: Mode[]; line: number; index: number } & (
  | { kind: 'server'; server: ServerStep }
  | { kind: 'send'; send: SendStep }
  | { kind: 'http'; http: HttpStep }
  | { kind: 'bulk'; bulk: BulkStep }
  | { kind: 'inject'; inject: InjectStep }
  | { kind: 'config'; config: DatapathSection }
  | { kind: 'wait'; wait: { ms: number } }
  | { kind: 'age'; age: AgeStepEntry }
  | { kind: 'policerState'; policerState: PolicerStateStep }
  | { kind: 'flood'; flood: FloodStep }
);

export type ColourCounts = { green?: Count; yellow?: Count; red?: Count };

export type Expectation = { modes?: Mode[]; line: number; index: number } & (
  | { kind: 'paths'; paths: Record<string, Count> }
  | { kind: 'drops'; drops: Record<string, Count> }
  | { kind: 'nextHops'; nextHops: Record<string, Count> }
  | { kind: 'interfaces'; interfaces: Record<string, Count> }
  | { kind: 'events'; events: Record<string, Count> }
  | { kind: 'answers'; answers: Answers }
  | { kind: 'policers'; policers: Record<string, ColourCounts> }
  | { kind: 'ct'; ct: { count?: Count; states?: Record<string, Count>; flags?: Record<string, Count> } }
  | { kind: 'flood'; flood: FloodExpectation }
);

export interface Scenario {
  file: string;
  name: string;
  /** The line of `name` (for problems about the scenario as a whole). */
  line: number;
  description: string;
  tags: string[];
  modes: Mode[];
  timeoutMs: number;
  topology: TopologyDescription;
  dut: string;
  datapath: DatapathSection;
  steps: Step[];
  expect: Expectation[];
  /** Wire-mode options. */
  wire?: WireOptions;
}

/** A problem found beyond the schema: the field path and the message. */
export interface SemanticIssue {
  path: (string | number)[];
  message: string;
}

/** One located problem in a scenario file. */
export interface ScenarioError {
  file: string;
  line: number;
  path: string;
  message: string;
}

export function formatScenarioError(e: ScenarioError): string {
  return `${e.file}:${e.line}: ${e.path}: ${e.message}`;
}

export type Status = 'pass' | 'fail' | 'skip';

/** One checked fact within a run. */
export interface Check {
  name: string;
  ok: boolean;
  /** Why it failed (multi-line allowed). */
  detail?: string;
}

export interface ScenarioResult {
  scenario: string;
  file: string;
  mode: Mode;
  /** Wire mode: the matrix cell (cells.ts cellName), e.g. "xdp-native, offloads on". */
  cell?: string;
  status: Status;
  durationMs: number;
  checks: Check[];
  /** Set when the run itself failed (set-up error, timeout). */
  error?: string;
  skipReason?: string;
  /** Where failure artefacts were written. */
  artifactsDir?: string;
  /** Packet mode: inject steps that took the fast path and were replayed through the slow
   *  path (differential check), and how many of those differed. */
  differential?: { checked: number; mismatched: number };
  /** Measurements worth seeing on a pass too (wire floods), one line each. */
  notes?: string[];
}

export interface SuiteResult {
  runId: string;
  startedAt: string;
  durationMs: number;
  results: ScenarioResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Totals of the differential check over every packet-mode run. */
  differential?: { checked: number; mismatched: number };
  /** The fuzz pass, when one ran. */
  fuzz?: FuzzSummary;
}

export interface FuzzSummary {
  seed: number;
  count: number;
  /** Packets sent through test runs (TC and XDP entries). */
  packets: number;
  durationMs: number;
  /** Per invariant: how many packets it was checked on, and the failures. */
  invariants: { name: string; checked: number; failed: number }[];
  /** Reports of failing packets (seed, index, hex, rendering), at most 20. */
  failures: string[];
  ok: boolean;
  /** The failing packets, when there were any. */
  pcap?: string;
  /** Packets classified invalid (see fuzz/invariants.ts). */
  invalid: number;
  /** Packets the flow cache served (TC, XDP): the fast paths were exercised too. */
  fastHits: { tc: number; xdp: number };
  /** Flow-cache entries of the established flow the mutations start from. */
  established: number;
  /** Forwarded packets whose IPv4 header checksum was wrong (the datapath does not check it). */
  badIpv4ChecksumForwarded: number;
  /** Frames BPF_PROG_TEST_RUN itself refused (EINVAL) before the program ran; not sent. */
  refusedByKernel: number;
  /** XDP_DROP verdicts (counted by no counter). */
  xdpUncountedDrops: number;
}
