// `node dist/src/config/write-schema.js [--check]`: writes scenarios/schema.json from the
// model, or (--check) exits 1 when the checked-in file is not what the model gives.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchemaText } from './json-schema.js';

const file = join(fileURLToPath(new URL('../../..', import.meta.url)), 'scenarios', 'schema.json');
const text = scenarioSchemaText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (current !== text) {
    process.stderr.write(`${file} is stale: run make schema (it is generated from src/config)\n`);
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
