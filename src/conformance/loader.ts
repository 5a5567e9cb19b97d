// Loads scenario files: YAML (with positions) -> the configuration model's schema and the
// semantic checks, in one pass -> Scenario. Every problem of every file is collected; the
// caller runs nothing when there is one.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type ExpectationEntry, type ScenarioFile, type StepEntry, isScenarioFile, validateScenarioData } from '../config/index.js';
import { formatPath, pathsOverlap } from '../config/field-path.js';
import { SemanticChecker, type SemanticIssue } from './semantic.js';
import { toLayerSpecs } from './layers.js';
import { repoRoot } from './paths.js';
import type { Expectation, Scenario, ScenarioError, Step } from './types.js';
import { parseYaml } from './yaml-source.js';

const DEFAULT_TIMEOUT_MS = 60_000;

/** The name a file is shown with: relative to the working directory when inside it. */
export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

export interface LoadResult {
  scenarios: Scenario[];
  errors: ScenarioError[];
}

type LineOf = (p: (string | number)[]) => number;

function toStep(s: StepEntry, index: number, lineOf: LineOf): Step {
  const base = { index, line: lineOf(['steps', index]), ...(s.modes !== undefined ? { modes: s.modes } : {}) };
  if (s.server !== undefined) return { ...base, kind: 'server', server: s.server };
  if (s.send !== undefined) return { ...base, kind: 'send', send: s.send };
  if (s.http !== undefined) return { ...base, kind: 'http', http: s.http };
  if (s.bulk !== undefined) return { ...base, kind: 'bulk', bulk: s.bulk };
  if (s.config !== undefined) return { ...base, kind: 'config', config: s.config };
  if (s.wait !== undefined) return { ...base, kind: 'wait', wait: s.wait };
  if (s.age !== undefined) return { ...base, kind: 'age', age: s.age };
  if (s.policerState !== undefined) return { ...base, kind: 'policerState', policerState: s.policerState };
  if (s.flood !== undefined) {
    return { ...base, kind: 'flood', flood: { ...s.flood, packet: toLayerSpecs(s.flood.packet, `steps[${index}].flood.packet`) } };
  }
  // The schema lets through exactly one kind per step: this one is an inject.
  const inj = s.inject!;
  const { expect } = inj;
  const field = `steps[${index}].inject`;
  return {
    ...base,
    kind: 'inject',
    inject: {
      ...(inj.name !== undefined ? { name: inj.name } : {}),
      from: inj.from,
      packet: toLayerSpecs(inj.packet, `${field}.packet`),
      expect: {
        verdict: expect.verdict,
        ...(expect.out !== undefined ? { out: expect.out } : {}),
        ...(expect.packet !== undefined ? { packet: toLayerSpecs(expect.packet, `${field}.expect.packet`) } : {}),
        ...(expect.mask !== undefined ? { mask: expect.mask } : {}),
        ...(expect.fields !== undefined ? { fields: expect.fields } : {}),
      },
    },
  };
}

function toExpectation(e: ExpectationEntry, index: number, lineOf: LineOf): Expectation {
  const base = { index, line: lineOf(['expect', index]), ...(e.modes !== undefined ? { modes: e.modes } : {}) };
  if (e.paths !== undefined) return { ...base, kind: 'paths', paths: e.paths };
  if (e.drops !== undefined) return { ...base, kind: 'drops', drops: e.drops };
  if (e.nextHops !== undefined) return { ...base, kind: 'nextHops', nextHops: e.nextHops };
  if (e.interfaces !== undefined) return { ...base, kind: 'interfaces', interfaces: e.interfaces };
  if (e.events !== undefined) return { ...base, kind: 'events', events: e.events };
  if (e.answers !== undefined) return { ...base, kind: 'answers', answers: e.answers };
  if (e.ct !== undefined) return { ...base, kind: 'ct', ct: e.ct };
  if (e.policers !== undefined) return { ...base, kind: 'policers', policers: e.policers };
  return { ...base, kind: 'flood', flood: e.flood! };
}

/** In file order (a stable sort keeps the order of problems on one line). */
function byLine(errors: ScenarioError[]): ScenarioError[] {
  return [...errors].sort((a, b) => a.line - b.line);
}

/** A problem's field as text; the file itself when the path is empty. */
function fieldOf(path: (string | number)[]): string {
  return formatPath(path) || '(file)';
}

/** The semantic checks over data that may have schema errors: a check that meets a value
 *  the schema already reported on says nothing more about it. */
function semanticCheck(
  file: string,
  data: unknown,
  schemaPaths: (string | number)[][],
): { issues: SemanticIssue[]; checker?: SemanticChecker } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { issues: [] };
  const checker = new SemanticChecker(file, repoRoot, data as ScenarioFile);
  checker.run();
  return { issues: checker.issues.filter((i) => !schemaPaths.some((p) => pathsOverlap(p, i.path))), checker };
}

/** Loads one file; errors are returned, never thrown. */
export function loadScenarioFile(file: string): LoadResult {
  const shown = displayName(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { scenarios: [], errors: [{ file: shown, line: 1, path: '(file)', message: `cannot read: ${(e as Error).message}` }] };
  }
  const src = parseYaml(text);
  if (src.syntaxErrors.length > 0) {
    return { scenarios: [], errors: src.syntaxErrors.map((e) => ({ file: shown, line: e.line, path: '(yaml)', message: e.message })) };
  }
  const schemaIssues = validateScenarioData(src.data);
  const errors: ScenarioError[] = schemaIssues.map((i) => ({
    file: shown,
    line: src.lineOf(i.path, i.atKey),
    path: fieldOf(i.path),
    message: i.message,
  }));
  const semantic = semanticCheck(
    file,
    src.data,
    schemaIssues.map((i) => i.path),
  );
  for (const issue of semantic.issues)
    errors.push({ file: shown, line: src.lineOf(issue.path), path: fieldOf(issue.path), message: issue.message });
  if (errors.length > 0 || !isScenarioFile(src.data)) return { scenarios: [], errors: byLine(errors) };
  const doc = src.data;
  const topology = semantic.checker?.topology;
  if (topology === undefined) throw new Error(`${shown}: the topology passed its checks but was not kept`);
  const scenario: Scenario = {
    file: shown,
    name: doc.name,
    line: src.lineOf(['name']),
    description: doc.description,
    tags: doc.tags ?? [],
    modes: doc.modes,
    timeoutMs: doc.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    topology,
    dut: doc.dut,
    datapath: doc.datapath,
    steps: doc.steps.map((s, i) => toStep(s, i, src.lineOf)),
    expect: (doc.expect ?? []).map((e, i) => toExpectation(e, i, src.lineOf)),
    ...(doc.wire !== undefined ? { wire: doc.wire } : {}),
  };
  return { scenarios: [scenario], errors: [] };
}

/** Loads every file (in the order given) and checks that names are unique across them. */
export function loadScenarios(files: string[]): LoadResult {
  const scenarios: Scenario[] = [];
  const errors: ScenarioError[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const r = loadScenarioFile(file);
    errors.push(...r.errors);
    for (const s of r.scenarios) {
      const other = seen.get(s.name);
      if (other !== undefined)
        errors.push({ file: s.file, line: s.line, path: 'name', message: `'${s.name}' is also the name of ${other}` });
      seen.set(s.name, s.file);
      scenarios.push(s);
    }
  }
  return { scenarios: errors.length > 0 ? [] : scenarios, errors };
}
