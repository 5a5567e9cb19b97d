// scenarios/schema.json is generated from the configuration model (make schema): the
// checked-in file is what the model gives, and it exposes every datapath field.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigChange, DatapathSection, LbRule, scenarioSchemaText } from '../../src/config/index.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const FILE = join(REPO, 'scenarios', 'schema.json');

test('the checked-in schema is current (run make schema when this fails)', (t) => {
  t.is(readFileSync(FILE, 'utf8'), scenarioSchemaText());
  const check = spawnSync(process.execPath, [join(REPO, 'dist', 'src', 'config', 'write-schema.js'), '--check'], { encoding: 'utf8' });
  t.is(check.status, 0, check.stderr);
});

type Node = Record<string, unknown>;

/** Every field path of a model schema: 'routes[].prefix', 'remove.routes[].zone', ... */
function fieldPaths(schema: Node, prefix = ''): string[] {
  const out: string[] = [];
  const props = (schema.properties ?? {}) as Record<string, Node>;
  for (const [name, sub] of Object.entries(props)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    out.push(path);
    const inner = sub.type === 'array' ? (sub.items as Node) : sub;
    out.push(...fieldPaths(inner, sub.type === 'array' ? `${path}[]` : path));
  }
  return out;
}

/** The same walk over the generated file, following its $refs. */
function fileFieldPaths(schema: Node, defs: Record<string, Node>, prefix = ''): string[] {
  const resolve = (n: Node): Node => (typeof n.$ref === 'string' ? defs[n.$ref.replace('#/$defs/', '')]! : n);
  const out: string[] = [];
  const props = (resolve(schema).properties ?? {}) as Record<string, Node>;
  for (const [name, raw] of Object.entries(props)) {
    const sub = resolve(raw);
    const path = prefix === '' ? name : `${prefix}.${name}`;
    out.push(path);
    const inner = sub.type === 'array' ? resolve(sub.items as Node) : sub;
    out.push(...fileFieldPaths(inner, defs, sub.type === 'array' ? `${path}[]` : path));
  }
  return out;
}

test('every field of the datapath configuration is reachable from a scenario file', (t) => {
  const file = JSON.parse(readFileSync(FILE, 'utf8')) as Node;
  const defs = file.$defs as Record<string, Node>;
  const datapath = new Set(fileFieldPaths(defs.datapath!, defs));
  const step = new Set(fileFieldPaths(((file.properties as Node).steps as Node).items as Node, defs));
  const wanted = [
    ...fieldPaths(JSON.parse(JSON.stringify(ConfigChange)) as Node),
    ...fieldPaths(JSON.parse(JSON.stringify(LbRule)) as Node, 'lbRules[]'),
    'lbRules',
    'removeLbRules',
    'flushInactive',
    'attach',
  ];
  t.true(wanted.length > 100, `${wanted.length} fields`);
  t.deepEqual(
    wanted.filter((p) => !datapath.has(p)),
    [],
    'missing from datapath',
  );
  t.deepEqual(
    wanted.filter((p) => !step.has(`config.${p}`)),
    [],
    'missing from a config step',
  );
  t.deepEqual(
    fieldPaths(JSON.parse(JSON.stringify(DatapathSection)) as Node).filter((p) => !datapath.has(p)),
    [],
  );
  for (const p of ['lbRules[].policer', 'knownMacs[].mac', 'eventIntervalMs', 'remove.knownMacs[].bd', 'tunnelRoutes[].addr'])
    t.true(datapath.has(p), p);
  const modes = (defs.datapath!.properties as Node).lbRules as Node;
  t.true(JSON.stringify(modes).includes('dsr-ipip'));
});
