import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricsCsv, samplesCsv } from '../../src/bench/report/csv.js';
import { summaryMarkdown } from '../../src/bench/report/markdown.js';
import { ProgressBar } from '../../src/bench/report/progress.js';
import { barChartSvg, boxPlotSvg, boxRowOf, niceAxis, unitSlug } from '../../src/bench/report/svg.js';
import { writeRun } from '../../src/bench/report/write-run.js';
import { recordRun } from '../../src/bench/record-run.js';
import type { Metric } from '../../src/bench/result.js';
import { metric, result } from './fixtures.js';

// A small result with its summary written out by hand, so the expected text below does
// not depend on the statistics code.
const tcpHit: Metric = {
  id: 'micro/tcp-hit',
  group: 'micro',
  name: 'TCP hit | v4',
  unit: 'ns/pkt',
  better: 'lower',
  samples: [120, 118, 125],
  summary: { n: 3, median: 120, q1: 119, q3: 122.5, iqr: 3.5, mean: 121, ci95: [118, 125] },
  calibration: { name: 'micro/empty', median: 69.5 },
  params: { proto: 'tcp', family: 4 },
};
const xdp64: Metric = {
  id: 'wire/xdp-64',
  group: 'wire',
  name: 'XDP, 64 B',
  unit: 'Mpps',
  better: 'higher',
  samples: [4.25, 4.5],
  summary: { n: 2, median: 4.375, q1: 4.3125, q3: 4.4375, iqr: 0.125, mean: 4.375, ci95: [4.25, 4.5] },
  ratio: { to: 'wire/ceiling-64', value: 0.7123456 },
  params: { size: 64 },
};
const small = result('run-small', [tcpHit, xdp64]);

test('metrics CSV, exact', (t) => {
  t.is(
    metricsCsv(small),
    [
      'id,group,name,unit,better,n,median,q1,q3,iqr,mean,ci95_lo,ci95_hi,calibration_name,calibration_median,ratio_to,ratio_value,params',
      'micro/tcp-hit,micro,TCP hit | v4,ns/pkt,lower,3,120,119,122.5,3.5,121,118,125,micro/empty,69.5,,,family=4;proto=tcp',
      'wire/xdp-64,wire,"XDP, 64 B",Mpps,higher,2,4.375,4.3125,4.4375,0.125,4.375,4.25,4.5,,,wire/ceiling-64,0.7123456,size=64',
      '',
    ].join('\n'),
  );
});

test('samples CSV, exact', (t) => {
  t.is(
    samplesCsv(small),
    'id,index,value\nmicro/tcp-hit,0,120\nmicro/tcp-hit,1,118\nmicro/tcp-hit,2,125\nwire/xdp-64,0,4.25\nwire/xdp-64,1,4.5\n',
  );
});

test('Markdown summary, exact', (t) => {
  t.is(
    summaryMarkdown(small),
    [
      '# Benchmark run run-small',
      '',
      'Started 2026-11-24T20:00:00.000Z. Medians with a 95% bootstrap interval; micro figures are net of the calibration shown beside them.',
      '',
      '| Group | Metric | Median | 95% CI | IQR | n | Calibration | Ratio |',
      '|---|---|---|---|---|---|---|---|',
      '| micro | TCP hit \\| v4 | 120 ns/pkt | [118, 125] | 3.5 | 3 | 69.5 ns/pkt (micro/empty) | - |',
      '| wire | XDP, 64 B | 4.375 Mpps | [4.25, 4.5] | 0.125 | 2 | - | 0.7123 x wire/ceiling-64 |',
      '',
      '## Environment',
      '',
      '- Host: bench-host',
      '- Kernel: 6.18.0',
      '- CPU: Test CPU 3000 x 2',
      '- Governor: unknown',
      '- BPF JIT: enable=1 harden=0 kallsyms=1',
      '- Clang: Debian clang version 19.1.7',
      '- libbpf: 1.1',
      '- Node: v20.19.0',
      '- Commit: 0123456789abcdef0123456789abcdef01234567',
      '',
    ].join('\n'),
  );
});

/** A strict little XML well-formedness check: balanced tags, quoted attributes, escaped
 *  text, one root element. Returns the root's name. */
function checkWellFormed(xml: string): string {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/y;
  const text = /[^<]*/y;
  const stack: string[] = [];
  let root: string | null = null;
  let at = 0;
  while (at < xml.length) {
    text.lastIndex = at;
    const chunk = text.exec(xml)?.[0] ?? '';
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(chunk) || chunk.includes('>')) throw new Error(`unescaped text at ${at}: ${chunk.slice(0, 40)}`);
    if (stack.length === 0 && chunk.trim() !== '') throw new Error(`text outside the root at ${at}`);
    at += chunk.length;
    if (at >= xml.length) break;
    tag.lastIndex = at;
    const m = tag.exec(xml);
    if (m === null) throw new Error(`malformed tag at ${at}: ${xml.slice(at, at + 60)}`);
    const [whole, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}> at ${at}`);
    } else {
      if (stack.length === 0) {
        if (root !== null) throw new Error('two root elements');
        root = name!;
      }
      if (!selfClosing) stack.push(name!);
    }
    at += whole.length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (root === null) throw new Error('no root element');
  return root;
}

test('the well-formedness checker rejects broken XML', (t) => {
  t.is(checkWellFormed('<svg a="1"><g><text>x &amp; y</text></g><rect/></svg>'), 'svg');
  t.throws(() => checkWellFormed('<svg><g></svg>'));
  t.throws(() => checkWellFormed('<svg><text>a & b</text></svg>'));
  t.throws(() => checkWellFormed('<svg a=1></svg>'));
});

test('bar chart SVG is well-formed and carries its labels, values and axis unit', (t) => {
  const svg = barChartSvg('Medians <ns/pkt> & more', 'ns/pkt', [
    { label: 'TCP hit & v4', median: 120, lo: 118, hi: 125 },
    { label: 'SYN new flow', median: 900, lo: 880, hi: 930 },
  ]);
  t.is(checkWellFormed(svg), 'svg');
  t.true(svg.includes('<title>Medians &lt;ns/pkt&gt; &amp; more</title>'));
  t.true(svg.includes('>TCP hit &amp; v4</text>'));
  t.true(svg.includes('>SYN new flow</text>'));
  t.true(svg.includes('>900</text>'));
  t.true(svg.includes('>median, ns/pkt (whiskers: 95% CI of the median)</text>'));
  for (const tick of ['0', '200', '400', '600', '800', '1000']) t.true(svg.includes(`>${tick}</text>`), `tick ${tick}`);
});

test('box plot SVG is well-formed and marks outliers', (t) => {
  const row = boxRowOf('fast hit', [10, 11, 11, 12, 12, 12, 13, 13, 14, 40]);
  t.deepEqual(row, { label: 'fast hit', q1: 11.25, median: 12, q3: 13, whiskerLo: 10, whiskerHi: 14, outliers: [40] });
  const svg = boxPlotSvg('Samples', 'ns/pkt', [row]);
  t.is(checkWellFormed(svg), 'svg');
  t.true(svg.includes('>fast hit</text>'));
  t.is(svg.match(/<circle /g)?.length, 1);
  t.true(svg.includes('ns/pkt (box: quartiles, line: median, whiskers: 1.5 IQR, circles: outliers)'));
});

test('axis ticks are round numbers covering the data', (t) => {
  t.deepEqual(niceAxis(0, 930), { min: 0, max: 1000, ticks: [0, 200, 400, 600, 800, 1000] });
  t.deepEqual(niceAxis(3.9, 4.6).ticks, [3.9, 4, 4.1, 4.2, 4.3, 4.4, 4.5, 4.6]);
  t.deepEqual(niceAxis(0, 6.01).ticks, [0, 1, 2, 3, 4, 5, 6, 7]);
  t.deepEqual(niceAxis(5, 5), { min: 4.4, max: 5.6, ticks: [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6] });
  t.is(unitSlug('ns/pkt'), 'ns-pkt');
  t.is(unitSlug('%'), 'percent');
});

function fakeStream(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): boolean } {
  const written: string[] = [];
  return { isTTY, written, write: (text) => written.push(text) > 0 };
}

test('progress bar draws on a terminal and clears itself', (t) => {
  const stream = fakeStream(true);
  let now = 0;
  const bar = new ProgressBar('micro', 4, { stream, env: {}, minIntervalMs: 100, now: () => now });
  t.true(bar.enabled);
  bar.update(1);
  now = 50;
  bar.update(2); // throttled
  now = 200;
  bar.update(3);
  bar.update(4); // the final state is always drawn
  bar.finish();
  t.deepEqual(stream.written, [
    '\r\x1b[Kmicro [########----------------------]  25% 1/4',
    '\r\x1b[Kmicro [#######################-------]  75% 3/4',
    '\r\x1b[Kmicro [##############################] 100% 4/4',
    '\r\x1b[K',
  ]);
});

test('progress bar is silent off a terminal and in CI', (t) => {
  for (const [isTTY, env] of [
    [false, {}],
    [true, { CI: 'true' }],
    [true, { CI: '1' }],
  ] as const) {
    const stream = fakeStream(isTTY);
    const bar = new ProgressBar('x', 2, { stream, env });
    bar.update(1);
    bar.update(2);
    bar.finish();
    t.false(bar.enabled);
    t.deepEqual(stream.written, []);
  }
  t.true(new ProgressBar('x', 1, { stream: fakeStream(true), env: { CI: 'false' } }).enabled);
});

test('writeRun writes the whole run directory, or nothing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-runs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = result('run-files', [metric('micro/a', [1, 2, 3]), metric('wire/b', [5, 6], { unit: 'Mpps', better: 'higher' })]);
  const written = writeRun(run, dir);
  t.is(written.dir, join(dir, 'run-files'));
  const expected = [
    'boxplot-mpps.svg',
    'boxplot-ns-pkt.svg',
    'medians-mpps.svg',
    'medians-ns-pkt.svg',
    'metrics.csv',
    'result.json',
    'samples.csv',
    'summary.md',
  ];
  t.deepEqual(readdirSync(written.dir).sort(), expected);
  t.deepEqual([...written.files].sort(), expected);
  t.is(readFileSync(join(written.dir, 'metrics.csv'), 'utf8'), metricsCsv(run));
  for (const svg of expected.filter((f) => f.endsWith('.svg'))) t.is(checkWellFormed(readFileSync(join(written.dir, svg), 'utf8')), 'svg');

  t.throws(() => writeRun(run, dir), { message: `runId: ${join(dir, 'run-files')} already exists; run ids must be unique` });
  const invalid = result('run-bad', [{ ...metric('micro/a', [1]), unit: 'parsecs' as 'ns' }]);
  t.throws(() => writeRun(invalid, dir), { message: /^metrics\[0\]\.unit: expected one of/ });
  t.deepEqual(readdirSync(dir), ['run-files'], 'no partial or staging directory is left');
});

test('recordRun fingerprints, writes the run and returns the printed summary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-runs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const recorded = await recordRun([metric('micro/a', [4, 5, 6])], {
    runsDir: dir,
    libbpfVersion: '1.1',
    startedAt: new Date('2026-11-24T21:00:00Z'),
  });
  t.regex(recorded.result.runId, /^20261124T210000Z-[0-9a-f]{6}$/);
  t.is(recorded.dir, join(dir, recorded.result.runId));
  t.is(recorded.result.environment.libbpf, '1.1');
  t.is(readFileSync(join(recorded.dir, 'summary.md'), 'utf8'), recorded.summary);
  t.true(recorded.summary.includes('| micro | micro/a | 5 ns/pkt |'));
});
