import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root (this file is compiled to dist/src/bench/). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Where `fastpath bench` writes each run's directory. */
export const defaultRunsDir = join(repoRoot, 'results', 'runs');
