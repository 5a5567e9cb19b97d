// Checks that need more than the schema: names that must exist (hosts, interfaces of the
// dut, servers, send steps, counters), references between objects, mode rules, the
// datapath's own checks of addresses, prefixes, ranges and overlaps (staticIssues), and
// packets that must build. The input may have schema errors too (everything is reported
// in one pass): each part is checked on its own, and a part that meets data of the wrong
// shape is left to the schema's report.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import type { ScenarioFile } from '../config/index.js';
import { formatPath, parsePath } from '../config/field-path.js';
import { DROP_REASONS, EVENT_TYPES, PATHS, lbCodecs } from '../datapath/index.js';
import { staticIssues } from '../datapath/static-check.js';
import { type TopologyDescription, TopologyValidationError, validateTopology } from '../../netns/index.js';
import { buildPacket } from '../packet/index.js';
import { FloodSemantics } from './flood-semantic.js';
import { toLayerSpecs } from './layers.js';
import { DERIVED_PATHS } from './expectations.js';
import { wireOptionIssues } from './quiet-hosts.js';
import { dutInterfaces } from './topology-view.js';
import type { Mode, SemanticIssue } from './types.js';

type Obj = Record<string, unknown>;
type Path = (string | number)[];

export type { SemanticIssue };

export class SemanticChecker {
  readonly issues: SemanticIssue[] = [];
  topology: TopologyDescription | undefined;
  private hosts = new Set<string>();
  private readonly servers = new Set<string>();
  private readonly sends = new Set<string>();
  private readonly nextHopIds = new Set<number>();
  private readonly policerIds = new Set<number>();
  private readonly mirrorIds = new Set<number>();
  private readonly tunnelIds = new Set<number>();
  private readonly floods = new FloodSemantics({
    issues: this.issues,
    add: (p, m) => this.add(p, m),
    checkDutPeer: (v, p) => this.checkDutPeer(v, p),
    checkPacket: (l, p) => this.checkPacket(l, p),
    hasPolicer: (id) => this.policerIds.has(id),
    timeoutMs: () => (this.doc.timeoutMs as number | undefined) ?? 60_000,
  });

  private readonly doc: Obj;

  constructor(
    private readonly file: string,
    private readonly repoRoot: string,
    doc: ScenarioFile,
  ) {
    this.doc = doc;
  }

  private add(path: Path, message: string): void {
    this.issues.push({ path, message });
  }

  run(): void {
    const doc = this.doc;
    this.guard(() => this.checkTopology());
    if (this.topology !== undefined) this.guard(() => this.checkDut());
    this.guard(() => this.checkDatapath(doc.datapath as Obj, ['datapath'], true));
    const modes = Array.isArray(doc.modes) ? (doc.modes as Mode[]) : [];
    const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
    list(doc.steps).forEach((s, i) => this.guard(() => this.checkStep(s, ['steps', i], modes)));
    list(doc.expect).forEach((e, i) => this.guard(() => this.checkExpectation(e, ['expect', i], modes)));
    this.guard(() => this.issues.push(...wireOptionIssues(doc, this.topology === undefined ? undefined : this.hosts)));
  }

  /** Data of the wrong shape makes a check throw; the schema has reported it already. */
  private guard(check: () => void): void {
    try {
      check();
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
  }

  private checkTopology(): void {
    const raw = this.doc.topology;
    let data: unknown = raw;
    if (typeof raw === 'string') {
      const path = isAbsolute(raw)
        ? raw
        : raw.startsWith('./') || raw.startsWith('../')
          ? resolve(dirname(this.file), raw)
          : resolve(this.repoRoot, raw);
      if (!existsSync(path)) {
        this.add(['topology'], `file ${raw} does not exist (looked at ${path})`);
        return;
      }
      try {
        data = parseYamlText(readFileSync(path, 'utf8'));
      } catch (e) {
        this.add(['topology'], `${raw}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
        return;
      }
    }
    try {
      this.topology = validateTopology(data);
      this.hosts = new Set(this.topology.hosts.map((h) => h.name));
    } catch (e) {
      if (!(e instanceof TopologyValidationError)) throw e;
      for (const err of e.errors) {
        const m = /^([^:\s]+): (.*)$/s.exec(err);
        if (typeof raw === 'string') this.add(['topology'], `${raw}: ${err}`);
        else if (m !== null) this.add(['topology', ...parsePath(m[1]!)], m[2]!);
        else this.add(['topology'], err);
      }
    }
  }

  private checkDut(): void {
    const dut = this.doc.dut as string;
    if (!this.hosts.has(dut)) this.add(['dut'], `unknown host '${dut}' (hosts: ${[...this.hosts].join(', ')})`);
  }

  /** Interfaces of the dut as the topology creates them. */
  private dutInterfaces(): Set<string> | undefined {
    // With an unknown dut every name would be reported again; the dut error says it all.
    if (typeof this.doc.dut !== 'string' || (this.topology !== undefined && !this.hosts.has(this.doc.dut))) return undefined;
    return this.topology === undefined ? undefined : new Set(dutInterfaces(this.topology, this.doc.dut));
  }

  private checkIfname(value: unknown, path: Path): void {
    const names = this.dutInterfaces();
    if (names === undefined || typeof value !== 'string' || names.has(value)) return;
    this.add(path, `'${value}' is not an interface of the dut '${String(this.doc.dut)}' (it has: ${[...names].join(', ') || 'none'})`);
  }

  private checkDatapath(dp: Obj, path: Path, initial: boolean): void {
    ((dp.attach as string[] | undefined) ?? []).forEach((n, i) => this.checkIfname(n, [...path, 'attach', i]));
    for (const list of ['interfaces', 'nextHops', 'l2', 'mirrors', 'tunnels'] as const) {
      ((dp[list] as Obj[] | undefined) ?? []).forEach((e, i) => this.checkIfname(e.ifname, [...path, list, i, 'ifname']));
    }
    for (const nh of (dp.nextHops as Obj[] | undefined) ?? []) this.nextHopIds.add(nh.id as number);
    this.checkReferences(dp, path);
    this.checkStatically(dp, path);
    if (initial) {
      ((dp.routes as Obj[] | undefined) ?? []).forEach((r, i) => {
        ((r.nextHops as number[] | undefined) ?? []).forEach((id, j) => {
          if (!this.nextHopIds.has(id))
            this.add([...path, 'routes', i, 'nextHops', j], `next hop ${id} is not defined in datapath.nextHops`);
        });
      });
    }
  }

  /** The datapath's own checks that need no map: addresses, prefixes, LB rules and their
   *  port ranges, policers, tunnels. */
  private checkStatically(dp: Obj, path: Path): void {
    for (const issue of staticIssues(dp, formatPath(path))) this.add(parsePath(issue.field), issue.message);
  }

  /** Ids that policers, mirrors and tunnel entries refer to must be defined in the same
   *  section (or, for a config step, earlier). */
  private checkReferences(dp: Obj, path: Path): void {
    for (const p of (dp.policers as Obj[] | undefined) ?? []) this.policerIds.add(p.id as number);
    for (const m of (dp.mirrors as Obj[] | undefined) ?? []) this.mirrorIds.add(m.id as number);
    for (const t of (dp.tunnels as Obj[] | undefined) ?? []) this.tunnelIds.add(t.id as number);
    ((dp.interfaces as Obj[] | undefined) ?? []).forEach((intf, i) => {
      const policer = intf.policer as number | undefined;
      if (policer !== undefined && policer !== 0 && !this.policerIds.has(policer))
        this.add([...path, 'interfaces', i, 'policer'], `policer ${policer} is not defined in datapath.policers`);
      const mirror = intf.mirror as number | undefined;
      if (mirror !== undefined && mirror !== 0 && !this.mirrorIds.has(mirror))
        this.add([...path, 'interfaces', i, 'mirror'], `mirror ${mirror} is not defined in datapath.mirrors`);
    });
    ((dp.lbRules as Obj[] | undefined) ?? []).forEach((rule, i) => {
      const policer = rule.policer as number | undefined;
      if (policer !== undefined && policer !== 0 && !this.policerIds.has(policer))
        this.add([...path, 'lbRules', i, 'policer'], `policer ${policer} is not defined in datapath.policers`);
    });
    for (const list of ['tunnelL2', 'tunnelRoutes'] as const) {
      ((dp[list] as Obj[] | undefined) ?? []).forEach((e, i) => {
        if (!this.tunnelIds.has(e.tunnel as number))
          this.add([...path, list, i, 'tunnel'], `tunnel ${String(e.tunnel)} is not defined in datapath.tunnels`);
      });
    }
    ((dp.tunnelTerms as Obj[] | undefined) ?? []).forEach((e, i) => {
      const nh = e.nextHop as number | undefined;
      if (nh !== undefined && !this.nextHopIds.has(nh))
        this.add([...path, 'tunnelTerms', i, 'nextHop'], `next hop ${nh} is not defined in datapath.nextHops`);
      if (e.type === 'gtpu' && nh === undefined)
        this.add([...path, 'tunnelTerms', i, 'nextHop'], 'a gtpu termination needs nextHop (where the inner packet leaves)');
      if (e.type !== 'gtpu' && nh !== undefined)
        this.add([...path, 'tunnelTerms', i, 'nextHop'], `only a gtpu termination takes nextHop (a ${String(e.type)} one bridges by bd)`);
    });
  }

  private effectiveModes(item: Obj, path: Path, modes: Mode[]): Mode[] {
    const own = item.modes as Mode[] | undefined;
    if (own === undefined) return modes;
    own.forEach((m, i) => {
      if (!modes.includes(m)) this.add([...path, 'modes', i], `'${m}' is not one of the scenario's modes (${modes.join(', ')})`);
    });
    return own.filter((m) => modes.includes(m));
  }

  private checkHost(value: unknown, path: Path): void {
    if (this.topology !== undefined && typeof value === 'string' && !this.hosts.has(value)) {
      this.add(path, `unknown host '${value}' (hosts: ${[...this.hosts].join(', ')})`);
    }
  }

  private wireOnly(kind: string, modes: Mode[], path: Path): void {
    if (modes.includes('packet')) this.add(path, `a ${kind} step runs real traffic and needs wire mode; give the step modes: [wire]`);
  }

  private checkStep(step: Obj, path: Path, scenarioModes: Mode[]): void {
    const modes = this.effectiveModes(step, path, scenarioModes);
    if (step.server !== undefined) {
      const s = step.server as Obj;
      this.wireOnly('server', modes, [...path, 'server']);
      this.checkHost(s.host, [...path, 'server', 'host']);
      if (typeof s.host === 'string' && (this.topology === undefined || this.hosts.has(s.host))) this.servers.add(s.host);
    } else if (step.send !== undefined || step.http !== undefined || step.bulk !== undefined) {
      const kind = step.send !== undefined ? 'send' : step.http !== undefined ? 'http' : 'bulk';
      const s = step[kind] as Obj;
      this.wireOnly(kind, modes, [...path, kind]);
      this.checkHost(s.from, [...path, kind, 'from']);
      if (this.sends.has(s.id as string))
        this.add([...path, kind, 'id'], `duplicate send id '${String(s.id)}' (send, http and bulk steps share ids)`);
      this.sends.add(s.id as string);
    } else if (step.config !== undefined) {
      this.checkDatapath(step.config as Obj, [...path, 'config'], false);
    } else if (step.inject !== undefined) {
      this.checkInject(step.inject as Obj, [...path, 'inject']);
    } else if (step.flood !== undefined) {
      this.floods.step(step.flood as Obj, [...path, 'flood'], modes);
    } else if (step.policerState !== undefined) {
      const p = [...path, 'policerState'];
      if (modes.includes('wire'))
        this.add(p, 'a policerState step sets map state directly (test control) and needs packet mode; give the step modes: [packet]');
      const id = (step.policerState as Obj).id as number;
      if (!this.policerIds.has(id)) this.add([...p, 'id'], `policer ${id} is not defined in datapath.policers`);
    }
  }

  /** host:ifname must be a link end whose other end is on the dut. */
  private checkDutPeer(value: unknown, path: Path): void {
    const dut = this.doc.dut;
    if (this.topology === undefined || typeof value !== 'string' || typeof dut !== 'string') return;
    const [host = '', ifname] = value.split(':');
    if (!this.hosts.has(host)) {
      this.add(path, `unknown host '${host}' (hosts: ${[...this.hosts].join(', ')})`);
      return;
    }
    const link = (this.topology.links ?? []).find(
      (l) => (l.a.host === host && l.a.ifname === ifname) || (l.b.host === host && l.b.ifname === ifname),
    );
    if (link === undefined) {
      this.add(path, `host '${host}' has no link end named '${ifname}'`);
      return;
    }
    const peer = link.a.host === host && link.a.ifname === ifname ? link.b : link.a;
    if (peer.host !== dut || host === dut) this.add(path, `'${value}' is not linked to the dut '${dut}'`);
  }

  private checkInject(inject: Obj, path: Path): void {
    this.checkDutPeer(inject.from, [...path, 'from']);
    const expect = inject.expect as Obj;
    this.checkPacket(inject.packet as unknown[], [...path, 'packet']);
    if (expect.packet !== undefined) this.checkPacket(expect.packet as unknown[], [...path, 'expect', 'packet']);
    if (expect.verdict === 'forward') {
      if (expect.out === undefined)
        this.add([...path, 'expect', 'out'], 'a forwarded packet needs out: host:ifname (where it must arrive)');
      else this.checkDutPeer(expect.out, [...path, 'expect', 'out']);
    } else {
      for (const k of ['out', 'packet', 'mask', 'fields']) {
        if (expect[k] !== undefined)
          this.add([...path, 'expect', k], `only a forwarded packet has ${k} (verdict is '${String(expect.verdict)}')`);
      }
    }
  }

  private checkPacket(layers: unknown[], path: Path): void {
    let specs;
    try {
      specs = toLayerSpecs(layers, 'x');
    } catch (e) {
      const m = /^x((?:\[\d+\]|\.[A-Za-z0-9_]+)*): (.*)$/s.exec((e as Error).message);
      if (m === null) this.add(path, (e as Error).message);
      else this.add([...path, ...parsePath(m[1]!)], m[2]!);
      return;
    }
    try {
      buildPacket(specs);
    } catch (e) {
      const message = (e as Error).message;
      const wrapped = /^layers\[(\d+)\] \([^)]*\): (.*)$/s.exec(message);
      const field = /^layers\[(\d+)\]\.([A-Za-z0-9_.]+): (.*)$/s.exec(message);
      if (field !== null) this.add([...path, Number(field[1]), ...parsePath(field[2]!)], field[3]!);
      else if (wrapped !== null) this.add([...path, Number(wrapped[1])], wrapped[2]!);
      else this.add(path, message);
    }
  }

  private checkCounters(map: Obj, names: readonly string[], what: string, path: Path): void {
    for (const key of Object.keys(map)) {
      if (!names.includes(key)) this.add([...path, key], `unknown ${what} (known: ${names.join(', ')})`);
    }
  }

  private checkServer(name: string, path: Path): void {
    if (!this.servers.has(name))
      this.add(path, `'${name}' names no server (servers are started on: ${[...this.servers].join(', ') || 'none'})`);
  }

  private checkServerNames(names: string[], path: Path): void {
    for (const name of names) this.checkServer(name, [...path, name]);
  }

  private checkExpectation(exp: Obj, path: Path, scenarioModes: Mode[]): void {
    const modes = this.effectiveModes(exp, path, scenarioModes);
    if (exp.paths !== undefined) this.checkCounters(exp.paths as Obj, [...PATHS, ...DERIVED_PATHS], 'path counter', [...path, 'paths']);
    if (exp.drops !== undefined) this.checkCounters(exp.drops as Obj, DROP_REASONS, 'drop reason', [...path, 'drops']);
    if (exp.nextHops !== undefined) {
      for (const key of Object.keys(exp.nextHops as Obj)) {
        if (!this.nextHopIds.has(Number(key)))
          this.add([...path, 'nextHops', key], `next hop ${key} is not defined in the datapath config`);
      }
    }
    for (const key of Object.keys((exp.interfaces as Obj | undefined) ?? {})) this.checkIfname(key, [...path, 'interfaces', key]);
    if (exp.events !== undefined) this.checkCounters(exp.events as Obj, Object.values(EVENT_TYPES), 'event type', [...path, 'events']);
    for (const key of Object.keys((exp.policers as Obj | undefined) ?? {})) {
      if (!this.policerIds.has(Number(key))) this.add([...path, 'policers', key], `policer ${key} is not defined in the datapath config`);
    }
    if (exp.flood !== undefined) this.floods.expectation(exp.flood as Obj, [...path, 'flood'], modes);
    if (exp.ct !== undefined) {
      const states = (exp.ct as Obj).states as Obj | undefined;
      if (states !== undefined) this.checkCounters(states, lbCodecs.CT_STATES, 'connection state', [...path, 'ct', 'states']);
    }
    if (exp.answers !== undefined) {
      const a = exp.answers as Obj;
      const p = [...path, 'answers'];
      if (modes.includes('packet')) this.add(p, 'answers come from real traffic and need wire mode; give the expectation modes: [wire]');
      if (!this.sends.has(a.send as string)) this.add([...p, 'send'], `no send step has id '${String(a.send)}'`);
      ((a.sequence as string[] | undefined) ?? []).forEach((name, i) => this.checkServer(name, [...p, 'sequence', i]));
      if (a.counts !== undefined) this.checkServerNames(Object.keys(a.counts as Obj), [...p, 'counts']);
      for (const k of ['distribution', 'chiSquare']) {
        const d = a[k] as Obj | undefined;
        if (d !== undefined) this.checkServerNames(Object.keys(d.weights as Obj), [...p, k, 'weights']);
      }
    }
  }
}
