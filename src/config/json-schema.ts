// The scenario file's JSON Schema as a document: what scenarios/schema.json holds (written
// by `make schema`) and what the loader validates with. Schemas used in several places
// (a packet's layers, the datapath section, a count) are written once under $defs.
import { DatapathSection, DatapathState } from './datapath-model.js';
import { DeployConfig } from './deploy-model.js';
import { Layer } from './packet-model.js';
import { Count } from './primitives.js';
import { ScenarioFile } from './scenario-model.js';

export const SCHEMA_ID = 'https://fastpath.invalid/scenarios/schema.json';

export type JsonSchema = Record<string, unknown>;

const SHARED: Record<string, unknown> = { layer: Layer, datapath: DatapathSection, count: Count };

/** Plain JSON (TypeBox's own markers dropped). */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** Every copy of a shared schema replaced by a $ref to its one definition. */
function withRefs(node: unknown, shared: Map<string, string>, skip?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => withRefs(n, shared, skip));
  if (node === null || typeof node !== 'object') return node;
  const name = shared.get(JSON.stringify(node));
  if (name !== undefined && name !== skip) return { $ref: `#/$defs/${name}` };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withRefs(v, shared, skip)]));
}

/** A schema document for `model`, with each shared schema defined once under $defs. */
function documentOf(model: unknown, id: string, sharedModels: Record<string, unknown>): JsonSchema {
  const shared = new Map(Object.entries(sharedModels).map(([name, s]) => [JSON.stringify(plain(s)), name]));
  const defs = Object.fromEntries(Object.entries(sharedModels).map(([name, s]) => [name, withRefs(plain(s), shared, name)]));
  const root = withRefs(plain(model), shared) as JsonSchema;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, ...root, $defs: defs };
}

export function scenarioJsonSchema(): JsonSchema {
  return documentOf(ScenarioFile, SCHEMA_ID, SHARED);
}

/** The text of scenarios/schema.json. */
export function scenarioSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

export const DEPLOY_SCHEMA_ID = 'https://fastpath.invalid/examples/deploy-config.schema.json';

/** The text of examples/deploy-config.schema.json (a `fastpath dp up` config file). */
export function deploySchemaText(): string {
  return `${JSON.stringify(documentOf(DeployConfig, DEPLOY_SCHEMA_ID, { datapath: DatapathState, count: Count }), null, 2)}\n`;
}
