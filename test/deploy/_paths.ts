import { fileURLToPath } from 'node:url';

/** The checkout root (this file is compiled to dist/test/deploy/). */
export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
