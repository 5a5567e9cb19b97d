// `node dist/src/config/write-schema.js [--check]`: writes the JSON Schemas generated from
// the model (scenarios/schema.json, examples/deploy-config.schema.json), or (--check) exits
// 1 when a checked-in file is not what the model gives.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploySchemaText, scenarioSchemaText } from './json-schema.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const files: [string, string][] = [
  [join(root, 'scenarios', 'schema.json'), scenarioSchemaText()],
  [join(root, 'examples', 'deploy-config.schema.json'), deploySchemaText()],
];
let stale = 0;
for (const [file, text] of files) {
  if (!process.argv.includes('--check')) {
    writeFileSync(file, text);
    continue;
  }
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (current !== text) {
    process.stderr.write(`${file} is stale: run make schema (it is generated from src/config)\n`);
    stale++;
  }
}
if (stale > 0) process.exit(1);
