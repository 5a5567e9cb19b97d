// Where things are, from the checkout root (this file is compiled to dist/src/conformance/).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const schemaPath = join(repoRoot, 'scenarios', 'schema.json');
export const scenariosDir = join(repoRoot, 'scenarios');
export const datapathObject = join(repoRoot, 'build', 'bpf', 'fastpath.bpf.o');
export const defaultRunsDir = join(repoRoot, 'results', 'runs');
