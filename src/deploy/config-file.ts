// Reads a deployment config file: YAML with positions -> the model's schema and the
// datapath's own map-free checks, in one pass; every problem as file:line: field: message.
// Interfaces are looked up in the target namespace when a resolver is given, so a missing
// interface is reported with the rest, before anything is loaded.
import { readFileSync } from 'node:fs';
import type { DatapathState, RouteConfig } from '../config/datapath-model.js';
import { DeployConfig } from '../config/deploy-model.js';
import { modelValidator, schemaIssues } from '../config/validate.js';
import { formatPath, parsePath, pathsOverlap } from '../config/field-path.js';
import { parseYaml } from '../conformance/yaml-source.js';
import { staticIssues } from '../datapath/static-check.js';
import { localRoutes } from './desired-state.js';

export interface ConfigProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}: ${p.field}: ${p.message}`;
}

export interface LoadedConfig {
  config?: DeployConfig;
  problems: ConfigProblem[];
}

const validator = modelValidator<DeployConfig>(() => JSON.parse(JSON.stringify(DeployConfig)) as object);

type Path = (string | number)[];

type Issue = { path: Path; message: string; atKey?: boolean };
type Obj = Record<string, unknown>;

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => x !== null && typeof x === 'object') : []);

/** The checks beyond the schema, over data that may have schema errors too: each part is
 *  checked on its own and a check that meets malformed data says nothing. */
function semanticIssues(data: Obj, interfaceExists?: (ifname: string) => boolean): Issue[] {
  const out: Issue[] = [];
  const dp = (data.datapath !== null && typeof data.datapath === 'object' ? data.datapath : {}) as Obj;
  const routes = list(dp.routes) as RouteConfig[];
  const addresses = Array.isArray(data.addresses) ? data.addresses.filter((a): a is string => typeof a === 'string') : [];
  try {
    const change = { ...(dp as DatapathState), routes: [...routes, ...localRoutes(addresses, routes)] };
    for (const issue of staticIssues(change, 'datapath')) {
      // A problem of a route derived from addresses is the address's.
      const path = parsePath(issue.field);
      const index = path[1] === 'routes' && typeof path[2] === 'number' ? path[2] - routes.length : -1;
      out.push({ path: index >= 0 ? ['addresses', index] : path, message: issue.message });
    }
  } catch (e) {
    out.push({ path: ['datapath'], message: (e as Error).message });
  }
  const configured = new Set(list(dp.interfaces).map((i) => i.ifname));
  const attach = list(data.attach);
  attach.forEach((a, i) => {
    if (typeof a.ifname === 'string' && !configured.has(a.ifname)) {
      out.push({
        path: ['attach', i, 'ifname'],
        message: `'${a.ifname}' is not among datapath.interfaces (its packets would all go to the stack)`,
      });
    }
  });
  if (interfaceExists !== undefined) {
    const named = new Map<string, Path>();
    const note = (items: Obj[], at: Path): void =>
      items.forEach((x, i) => {
        if (typeof x.ifname === 'string' && !named.has(x.ifname)) named.set(x.ifname, [...at, i, 'ifname']);
      });
    note(attach, ['attach']);
    note(list(dp.interfaces), ['datapath', 'interfaces']);
    note(list(dp.nextHops), ['datapath', 'nextHops']);
    note(list(dp.l2), ['datapath', 'l2']);
    for (const [ifname, path] of named)
      if (!interfaceExists(ifname)) out.push({ path, message: `no interface '${ifname}' in the target namespace` });
  }
  return out;
}

/** Every problem of `data` as a deployment config: the model's schema, the datapath's
 *  map-free checks, attach entries naming configured interfaces and, with
 *  `interfaceExists`, the interfaces present in the target namespace. */
export function checkConfigData(data: unknown, interfaceExists?: (ifname: string) => boolean): Issue[] {
  const schema: Issue[] = schemaIssues(validator(), data);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return schema;
  const semantic = semanticIssues(data as Obj, interfaceExists).filter((i) => !schema.some((s) => pathsOverlap(s.path, i.path)));
  return [...schema, ...semantic];
}

/** Loads and checks one file; nothing is thrown for a bad file. */
export function loadConfigFile(file: string, interfaceExists?: (ifname: string) => boolean): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [{ file, line: 1, field: '(file)', message: `cannot read: ${(e as Error).message}` }] };
  }
  const src = parseYaml(text);
  if (src.syntaxErrors.length > 0)
    return { problems: src.syntaxErrors.map((e) => ({ file, line: e.line, field: '(yaml)', message: e.message })) };
  const issues = checkConfigData(src.data, interfaceExists);
  if (issues.length > 0) {
    const problems = issues.map((i) => ({
      file,
      line: src.lineOf(i.path, i.atKey === true),
      field: formatPath(i.path) || '(file)',
      message: i.message,
    }));
    return { problems: problems.sort((a, b) => a.line - b.line) };
  }
  return { config: src.data as DeployConfig, problems: [] };
}
