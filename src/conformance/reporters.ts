// TAP 13 (streamed on stdout), JUnit XML and JSON renderings of conformance results.
import { stringify } from 'yaml';
import type { FuzzSummary, ScenarioResult, SuiteResult } from './types.js';

export function tapHeader(count: number): string {
  return `TAP version 13\n1..${count}\n`;
}

/** "tcp-rr [wire, xdp-native, offloads on]" or "tcp-rr [packet]". */
export function runTitle(r: ScenarioResult): string {
  return `${r.scenario} [${r.mode}${r.cell !== undefined ? `, ${r.cell}` : ''}]`;
}

/** One test point with a YAML diagnostic block for failures. */
export function tapResult(r: ScenarioResult, number: number): string {
  if (r.status === 'skip') return `ok ${number} - ${runTitle(r)} # SKIP ${r.skipReason ?? ''}`.trimEnd() + '\n';
  const head = `${r.status === 'pass' ? 'ok' : 'not ok'} ${number} - ${runTitle(r)}\n`;
  const differential =
    r.differential !== undefined
      ? `# ${runTitle(r)}: differential: ${r.differential.checked} fast-path step${r.differential.checked === 1 ? '' : 's'} replayed through the slow path, ${r.differential.mismatched} mismatched\n`
      : '';
  const notes = (r.notes ?? []).map((n) => `# ${runTitle(r)}: ${n}\n`).join('');
  if (r.status === 'pass') return head + differential + notes;
  const diag: Record<string, unknown> = { file: r.file, duration_ms: r.durationMs };
  if (r.error !== undefined) diag.error = r.error;
  const failed = r.checks
    .filter((c) => !c.ok)
    .map((c) => (c.detail !== undefined ? { check: c.name, detail: c.detail } : { check: c.name }));
  if (failed.length > 0) diag.failed = failed;
  if (r.differential !== undefined) diag.differential = r.differential;
  if (r.artifactsDir !== undefined) diag.artifacts = r.artifactsDir;
  const body = stringify(diag, { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `${head}  ---\n${body}\n  ...\n${differential}${notes}`;
}

export function fuzzTitle(f: FuzzSummary): string {
  return `fuzz [seed ${f.seed}, ${f.count} cases, ${f.packets} test runs]`;
}

/** The fuzz pass as one TAP test point: invariant tallies as comments, failures as YAML. */
export function tapFuzz(f: FuzzSummary, number: number): string {
  const head = `${f.ok ? 'ok' : 'not ok'} ${number} - ${fuzzTitle(f)}\n`;
  const tallies = f.invariants.map((v) => `# fuzz: ${v.name}: ${v.checked} checked, ${v.failed} failed\n`).join('');
  const notes = `# fuzz: ${f.invalid} invalid, ${f.fastHits.tc}/${f.fastHits.xdp} TC/XDP fast-path hits, ${f.refusedByKernel} refused by test-run, ${f.badIpv4ChecksumForwarded} forwarded with a bad IPv4 header checksum, ${f.xdpUncountedDrops} uncounted XDP drops, ${(f.durationMs / 1000).toFixed(3)} s\n`;
  if (f.ok) return head + tallies + notes;
  const diag: Record<string, unknown> = { seed: f.seed, count: f.count, failures: f.failures };
  if (f.pcap !== undefined) diag.pcap = f.pcap;
  const body = stringify(diag, { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `${head}  ---\n${body}\n  ...\n${tallies}${notes}`;
}

export function tapFooter(suite: Pick<SuiteResult, 'passed' | 'failed' | 'skipped'> & Partial<Pick<SuiteResult, 'differential'>>): string {
  const d =
    suite.differential !== undefined
      ? `# differential ${suite.differential.checked} checked, ${suite.differential.mismatched} mismatched\n`
      : '';
  return `# pass ${suite.passed}\n# fail ${suite.failed}\n# skip ${suite.skipped}\n${d}`;
}

export function renderTap(suite: SuiteResult): string {
  const fuzz = suite.fuzz !== undefined ? tapFuzz(suite.fuzz, suite.results.length + 1) : '';
  return (
    tapHeader(suite.results.length + (suite.fuzz !== undefined ? 1 : 0)) +
    suite.results.map((r, i) => tapResult(r, i + 1)).join('') +
    fuzz +
    tapFooter(suite)
  );
}

function xml(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
      // eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot carry at all
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function renderJunit(suite: SuiteResult): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fastpath conformance" tests="${suite.results.length}" failures="${suite.failed}" skipped="${suite.skipped}" time="${seconds(suite.durationMs)}">`,
    `  <testsuite name="conformance" id="${xml(suite.runId)}" timestamp="${xml(suite.startedAt)}" tests="${suite.results.length}" failures="${suite.failed}" errors="0" skipped="${suite.skipped}" time="${seconds(suite.durationMs)}">`,
  ];
  for (const r of suite.results) {
    const open = `    <testcase classname="conformance.${r.mode}" name="${xml(r.cell !== undefined ? `${r.scenario} [${r.cell}]` : r.scenario)}" file="${xml(r.file)}" time="${seconds(r.durationMs)}"`;
    if (r.status === 'pass') {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    if (r.status === 'skip') {
      lines.push(`      <skipped message="${xml(r.skipReason ?? '')}"/>`);
    } else {
      const failed = r.checks.filter((c) => !c.ok);
      const message = r.error ?? `${failed.length} failed check${failed.length === 1 ? '' : 's'}: ${failed.map((c) => c.name).join('; ')}`;
      const body = [
        ...(r.error !== undefined ? [r.error] : []),
        ...failed.map((c) => `${c.name}${c.detail !== undefined ? `\n${c.detail}` : ''}`),
        ...(r.artifactsDir !== undefined ? [`artifacts: ${r.artifactsDir}`] : []),
      ].join('\n\n');
      lines.push(`      <failure message="${xml(message)}" type="conformance">${xml(body)}</failure>`);
    }
    lines.push('    </testcase>');
  }
  if (suite.fuzz !== undefined) {
    const f = suite.fuzz;
    const open = `    <testcase classname="conformance.fuzz" name="${xml(fuzzTitle(f))}" time="${seconds(f.durationMs)}"`;
    if (f.ok) lines.push(`${open}/>`);
    else
      lines.push(
        `${open}>`,
        `      <failure message="${xml(
          `${f.invariants
            .filter((v) => v.failed > 0)
            .map((v) => v.name)
            .join('; ')}`,
        )}" type="fuzz">${xml([...f.failures, ...(f.pcap !== undefined ? [`pcap: ${f.pcap}`] : [])].join('\n\n'))}</failure>`,
        '    </testcase>',
      );
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}

export function renderJson(suite: SuiteResult): string {
  return JSON.stringify({ format: 'fastpath-conformance/1', ...suite }, null, 2) + '\n';
}

/** The summary table of `make run`: scenario, mode, result, time. */
export function renderSummaryTable(suite: SuiteResult): string {
  const rows = suite.results.map((r) => [
    r.scenario,
    r.cell !== undefined ? `${r.mode}: ${r.cell}` : r.mode,
    r.status.toUpperCase(),
    r.status === 'skip' ? '-' : `${seconds(r.durationMs)} s`,
  ]);
  const f = suite.fuzz;
  if (f !== undefined)
    rows.push([`fuzz (seed ${f.seed}, ${f.count} cases)`, 'packet', f.ok ? 'PASS' : 'FAIL', `${seconds(f.durationMs)} s`]);
  const header = ['scenario', 'mode', 'result', 'time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return (
    [
      fmt(header),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...rows.map(fmt),
      `passed ${suite.passed}, failed ${suite.failed}, skipped ${suite.skipped} (${seconds(suite.durationMs)} s)`,
      ...(suite.differential !== undefined
        ? [
            `differential: ${suite.differential.checked} fast-path steps replayed through the slow path, ${suite.differential.mismatched} mismatched`,
          ]
        : []),
      ...(f !== undefined
        ? [
            `fuzz: ${f.packets} test runs, ${f.invariants.filter((v) => v.failed === 0).length}/${f.invariants.length} invariants held${f.pcap !== undefined ? `, failing packets in ${f.pcap}` : ''}`,
          ]
        : []),
    ].join('\n') + '\n'
  );
}
