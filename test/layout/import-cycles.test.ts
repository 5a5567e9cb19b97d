// No import cycles among the TypeScript sources: a cycle makes module initialisation
// order matter and forces copies (a second codec, a one-function file) to break it.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { cycles, importGraph } from './import-graph.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

test('the graph sees the sources and their imports', (t) => {
  const graph = importGraph(REPO, ['src']);
  t.true(graph.size > 100, `${graph.size} files`);
  t.true(graph.get('src/datapath/plan.ts')?.includes('src/datapath/lb-plan.ts'));
  t.deepEqual(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
    [['a', 'b', 'c']],
  );
});

test('no import cycles in src, netns, native and test', (t) => {
  t.deepEqual(cycles(importGraph(REPO, ['src', 'netns', 'native', 'test'])), []);
});
