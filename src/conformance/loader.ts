// Loads scenario files: YAML (with positions) -> schema -> semantic checks -> Scenario.
// Every problem of every file is collected; the caller runs nothing when there is one.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type SchemaNode, formatPath, validateAgainstSchema } from './schema-validator.js';
import { SemanticChecker } from './semantic.js';
import { toLayerSpecs } from './layers.js';
import { repoRoot, schemaPath } from './paths.js';
import type { DatapathSection, Expectation, Mode, Scenario, ScenarioError, Step, WireOptions } from './types.js';
import { parseYaml } from './yaml-source.js';

type Obj = Record<string, unknown>;

const DEFAULT_TIMEOUT_MS = 60_000;

let cachedSchema: SchemaNode | undefined;

export function scenarioSchema(): SchemaNode {
  cachedSchema ??= JSON.parse(readFileSync(schemaPath, 'utf8')) as SchemaNode;
  return cachedSchema;
}

/** The name a file is shown with: relative to the working directory when inside it. */
export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

export interface LoadResult {
  scenarios: Scenario[];
  errors: ScenarioError[];
}

function toSteps(raw: Obj[], lineOf: (p: (string | number)[]) => number): Step[] {
  return raw.map((s, index) => {
    const base = { index, line: lineOf(['steps', index]), ...(s.modes !== undefined ? { modes: s.modes as Mode[] } : {}) };
    if (s.server !== undefined) return { ...base, kind: 'server', server: s.server } as Step;
    if (s.send !== undefined) return { ...base, kind: 'send', send: s.send } as Step;
    if (s.http !== undefined) return { ...base, kind: 'http', http: s.http } as Step;
    if (s.bulk !== undefined) return { ...base, kind: 'bulk', bulk: s.bulk } as Step;
    if (s.config !== undefined) return { ...base, kind: 'config', config: s.config } as Step;
    if (s.wait !== undefined) return { ...base, kind: 'wait', wait: s.wait } as Step;
    if (s.age !== undefined) return { ...base, kind: 'age', age: s.age } as Step;
    if (s.policerState !== undefined) return { ...base, kind: 'policerState', policerState: s.policerState } as Step;
    if (s.flood !== undefined) {
      const f = s.flood as Obj;
      return { ...base, kind: 'flood', flood: { ...f, packet: toLayerSpecs(f.packet as unknown[], `steps[${index}].flood.packet`) } } as Step;
    }
    const inj = s.inject as Obj;
    const expect = inj.expect as Obj;
    const field = `steps[${index}].inject`;
    return {
      ...base,
      kind: 'inject',
      inject: {
        ...(inj.name !== undefined ? { name: inj.name as string } : {}),
        from: inj.from as string,
        packet: toLayerSpecs(inj.packet as unknown[], `${field}.packet`),
        expect: {
          verdict: expect.verdict,
          ...(expect.out !== undefined ? { out: expect.out } : {}),
          ...(expect.packet !== undefined ? { packet: toLayerSpecs(expect.packet as unknown[], `${field}.expect.packet`) } : {}),
          ...(expect.mask !== undefined ? { mask: expect.mask } : {}),
          ...(expect.fields !== undefined ? { fields: expect.fields } : {}),
        },
      },
    } as Step;
  });
}

function toExpectations(raw: Obj[], lineOf: (p: (string | number)[]) => number): Expectation[] {
  return raw.map((e, index) => {
    const { modes, ...rest } = e;
    const kind = Object.keys(rest)[0];
    return { index, line: lineOf(['expect', index]), ...(modes !== undefined ? { modes } : {}), kind, [kind]: rest[kind] } as Expectation;
  });
}

/** In file order (a stable sort keeps the order of problems on one line). */
function byLine(errors: ScenarioError[]): ScenarioError[] {
  return [...errors].sort((a, b) => a.line - b.line);
}

/** Loads one file; errors are returned, never thrown. */
export function loadScenarioFile(file: string): LoadResult {
  const shown = displayName(file);
  const errors: ScenarioError[] = [];
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
  for (const issue of validateAgainstSchema(src.data, scenarioSchema())) {
    errors.push({ file: shown, line: src.lineOf(issue.path, issue.atKey), path: formatPath(issue.path), message: issue.message });
  }
  if (errors.length > 0) return { scenarios: [], errors: byLine(errors) };
  const doc = src.data as Obj;
  const checker = new SemanticChecker(file, repoRoot, doc);
  checker.run();
  for (const issue of checker.issues) {
    errors.push({ file: shown, line: src.lineOf(issue.path), path: formatPath(issue.path), message: issue.message });
  }
  if (errors.length > 0) return { scenarios: [], errors: byLine(errors) };
  const scenario: Scenario = {
    file: shown,
    name: doc.name as string,
    line: src.lineOf(['name']),
    description: doc.description as string,
    tags: (doc.tags as string[] | undefined) ?? [],
    modes: doc.modes as Mode[],
    timeoutMs: (doc.timeoutMs as number | undefined) ?? DEFAULT_TIMEOUT_MS,
    topology: checker.topology!,
    dut: doc.dut as string,
    datapath: doc.datapath as DatapathSection,
    steps: toSteps(doc.steps as Obj[], src.lineOf),
    expect: toExpectations((doc.expect as Obj[] | undefined) ?? [], src.lineOf),
    ...(doc.wire !== undefined ? { wire: doc.wire as WireOptions } : {}),
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
      if (other !== undefined) errors.push({ file: s.file, line: s.line, path: 'name', message: `'${s.name}' is also the name of ${other}` });
      seen.set(s.name, s.file);
      scenarios.push(s);
    }
  }
  return { scenarios: errors.length > 0 ? [] : scenarios, errors };
}
