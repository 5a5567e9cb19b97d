// The NDR searches of a run as Markdown: per search, the maximum forwarding rate, the NDR
// and every trial (summary.md and the terminal).
import type { NdrRecord, NdrStep } from './ndr-types.js';

/** Below this share of its target a trial's generator was the limit (as in ndr.ts). */
const KEPT_UP = 0.9;

const kpps = (pps: number): string => (pps / 1e3).toFixed(1);

function notes(s: NdrStep): string {
  const said = [
    ...(s.offeredPps < KEPT_UP * s.targetPps ? ['generator short of the target'] : []),
    ...(s.stalls > 0 ? [`${s.stalls} generator stall${s.stalls === 1 ? '' : 's'}`] : []),
  ];
  return said.length === 0 ? '' : ` (${said.join(', ')})`;
}

function searchMarkdown(r: NdrRecord): string[] {
  const share = r.maxPps > 0 ? ` (${((r.ndrPps / r.maxPps) * 100).toFixed(1)}% of the maximum)` : '';
  return [
    `### ${r.label}`,
    '',
    `Maximum forwarding rate (unpaced): ${kpps(r.maxPps)} kpps. NDR at ≤ ${r.lossPct}% loss: **${r.ndrPps > 0 ? `${kpps(r.ndrPps)} kpps` : 'no trial passed'}**${r.ndrPps > 0 ? share : ''}.`,
    '',
    '| trial | target kpps | offered kpps | received kpps | frames offered | frames received | loss % | result |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.steps.map(
      (s, i) =>
        `| ${i + 1} | ${kpps(s.targetPps)} | ${kpps(s.offeredPps)} | ${kpps(s.receivedPps)} | ${s.offered} | ${s.received} | ${s.lossPct.toFixed(3)} | ${s.pass ? 'pass' : 'fail'}${notes(s)} |`,
    ),
    '',
  ];
}

export function ndrMarkdown(records: NdrRecord[] | undefined): string {
  const r0 = records?.[0];
  if (records === undefined || r0 === undefined) return '';
  return [
    '## Throughput (RFC 2544, no-drop rate)',
    '',
    `Binary search for the highest offered rate with at most ${r0.lossPct}% loss, down to ${r0.resolutionPct}% of the maximum forwarding rate. ` +
      'Each trial: a paced warm-up, then a counted window; loss = (offered - received) / offered, with nothing in flight at the window edges.',
    '',
    ...records.flatMap(searchMarkdown),
  ].join('\n');
}
