// Reads a topology file (YAML, or JSON, which YAML reads too) and validates it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { TopologyDescription } from './types.js';
import { validateTopology } from './validate.js';

export function loadTopologyFile(path: string): TopologyDescription {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid YAML/JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateTopology(data);
}
