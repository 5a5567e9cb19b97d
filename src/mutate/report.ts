// The run's report: scores (killed / (total - stillborn - equivalent)) for the
// conformance stages alone and for every stage, who killed each mutant, and for each
// survivor its diff and the scenarios that exercise the mutated code (by tag).
import type { MutantResult } from './mutant-run.js';
import { STAGES, type Stage } from './stage-run.js';

export const CONFORMANCE_STAGES: readonly Stage[] = ['packet', 'wire', 'fuzz'];

export interface Session {
  started: string;
  ended: string;
  seconds: number;
  jobs: number;
  ran: number;
}

export interface ReportInput {
  runDir: string;
  seed: number;
  sample: number;
  operators: readonly string[];
  stages: readonly Stage[];
  sessions: Session[];
  planned: number;
  results: MutantResult[];
  /** Survivor id -> scenarios whose tags or names match the mutated code. */
  exercisedBy: Map<string, string[]>;
}

export interface Score {
  killed: number;
  counted: number;
  /** killed / counted, null when nothing counts. */
  score: number | null;
}

export interface MutationReport {
  tool: 'fastpath mutate';
  version: 1;
  runDir: string;
  seed: number;
  sample: number;
  operators: string[];
  stages: Stage[];
  sessions: Session[];
  wallSeconds: number;
  counts: {
    planned: number;
    done: number;
    pending: number;
    killed: number;
    survived: number;
    stillborn: number;
    equivalent: number;
    codeIdentical: number;
    /** Conformance survivors run again on a later tree (--retry-survivors). */
    retried: number;
  };
  score: { conformance: Score; all: Score };
  /** With retried survivors: the scores of each mutant's first verdict. */
  firstRunScore?: { conformance: Score; all: Score };
  stageCost: Partial<Record<Stage, { runs: number; meanSeconds: number; kills: number }>>;
  killedBy: Partial<Record<Stage, number>>;
  mutants: (MutantResult & { exercisedBy?: string[] })[];
}

function score(results: MutantResult[], stages: readonly Stage[]): Score {
  const counted = results.filter((r) => r.status === 'killed' || r.status === 'survived');
  const killed = counted.filter((r) => r.status === 'killed' && r.killedBy !== undefined && stages.includes(r.killedBy)).length;
  return { killed, counted: counted.length, score: counted.length === 0 ? null : killed / counted.length };
}

/** A mutant as its first verdict had it (before any retry). */
function firstVerdict(r: MutantResult): MutantResult {
  const first = r.earlier?.[0];
  if (first === undefined) return r;
  const { killedBy: _k, ...rest } = r;
  return { ...rest, status: first.status, ...(first.killedBy !== undefined ? { killedBy: first.killedBy } : {}) };
}

export function buildReport(input: ReportInput): MutationReport {
  const rs = input.results;
  const retried = rs.filter((r) => (r.earlier?.length ?? 0) > 0).length;
  const first = rs.map(firstVerdict);
  const count = (s: string): number => rs.filter((r) => r.status === s).length;
  const stageCost: MutationReport['stageCost'] = {};
  const killedBy: MutationReport['killedBy'] = {};
  for (const st of STAGES) {
    const runs = rs.flatMap((r) => r.stages.filter((x) => x.stage === st));
    if (runs.length > 0) {
      stageCost[st] = {
        runs: runs.length,
        meanSeconds: Math.round((runs.reduce((s, x) => s + x.seconds, 0) / runs.length) * 10) / 10,
        kills: runs.filter((x) => x.status !== 'pass').length,
      };
    }
    const k = rs.filter((r) => r.killedBy === st).length;
    if (k > 0) killedBy[st] = k;
  }
  return {
    tool: 'fastpath mutate',
    version: 1,
    runDir: input.runDir,
    seed: input.seed,
    sample: input.sample,
    operators: [...input.operators],
    stages: [...input.stages],
    sessions: input.sessions,
    wallSeconds: Math.round(input.sessions.reduce((s, x) => s + x.seconds, 0)),
    counts: {
      planned: input.planned,
      done: rs.length,
      pending: input.planned - rs.length,
      killed: count('killed'),
      survived: count('survived'),
      stillborn: count('stillborn'),
      equivalent: count('equivalent'),
      codeIdentical: rs.filter((r) => r.codeIdentical === true).length,
      retried,
    },
    score: { conformance: score(rs, CONFORMANCE_STAGES), all: score(rs, STAGES) },
    ...(retried > 0 ? { firstRunScore: { conformance: score(first, CONFORMANCE_STAGES), all: score(first, STAGES) } } : {}),
    stageCost,
    killedBy,
    mutants: rs.map((r) => (input.exercisedBy.has(r.id) ? { ...r, exercisedBy: input.exercisedBy.get(r.id) } : r)),
  };
}

const pct = (s: Score): string => (s.score === null ? 'n/a' : `${(s.score * 100).toFixed(1)}% (${s.killed}/${s.counted})`);

export function renderMarkdown(r: MutationReport): string {
  const lines: string[] = [];
  lines.push(`# fastpath mutate: ${r.runDir}`, '');
  lines.push(`seed ${r.seed}, sample ${r.sample}, operators ${r.operators.join(', ')}, stages ${r.stages.join(' -> ')}`, '');
  lines.push(`| | |`, `|---|---|`);
  lines.push(`| mutants done / planned | ${r.counts.done} / ${r.counts.planned} (${r.counts.pending} pending) |`);
  lines.push(`| killed | ${r.counts.killed} |`, `| survived | ${r.counts.survived} (${r.counts.codeIdentical} with the original's code) |`);
  lines.push(
    `| stillborn (build, verifier or loader; not counted) | ${r.counts.stillborn} |`,
    `| equivalent (reviewed list; not counted) | ${r.counts.equivalent} |`,
  );
  lines.push(
    `| score, conformance suite (${CONFORMANCE_STAGES.filter((s) => r.stages.includes(s)).join(' + ')}) | ${pct(r.score.conformance)} |`,
  );
  lines.push(`| score, all stages | ${pct(r.score.all)} |`);
  if (r.firstRunScore !== undefined)
    lines.push(
      `| score as first run (before ${r.counts.retried} conformance survivors were run again) | conformance ${pct(r.firstRunScore.conformance)}, all stages ${pct(r.firstRunScore.all)} |`,
    );
  lines.push(
    `| wall time | ${r.wallSeconds} s over ${r.sessions.length} session(s), jobs ${[...new Set(r.sessions.map((s) => s.jobs))].join('/')} |`,
    '',
  );
  lines.push('## Cost per stage', '', '| stage | runs | mean s | kills |', '|---|---:|---:|---:|');
  for (const [st, c] of Object.entries(r.stageCost)) lines.push(`| ${st} | ${c.runs} | ${c.meanSeconds} | ${c.kills} |`);
  lines.push('', '## Mutants', '', '| id | file:line | operator | status | by | s |', '|---|---|---|---|---|---:|');
  for (const m of r.mutants) {
    const by =
      m.status === 'killed'
        ? `${m.killedBy}: ${m.stages.at(-1)?.failures.slice(0, 3).join('; ') ?? ''}`
        : m.status === 'stillborn'
          ? (m.stillbornBy ?? '')
          : m.codeIdentical
            ? 'same code'
            : '';
    lines.push(`| ${m.id} | ${m.file}:${m.line} | ${m.operator} | ${m.status} | ${by.replace(/\|/g, '\\|')} | ${m.seconds} |`);
  }
  const again = r.mutants.filter((m) => (m.earlier?.length ?? 0) > 0);
  if (again.length > 0) {
    lines.push(
      '',
      `## Run again after the conformance stages missed them (${again.length})`,
      '',
      '| id | file:line | earlier | now | by |',
      '|---|---|---|---|---|',
    );
    for (const m of again) {
      const earlier = m
        .earlier!.map((e) => `${e.status}${e.killedBy ? ` by ${e.killedBy}` : ''} (until ${e.replaced.slice(0, 10)})`)
        .join(', ');
      const by = m.status === 'killed' ? `${m.killedBy}: ${m.stages.at(-1)?.failures.slice(0, 2).join('; ') ?? ''}` : (m.stillbornBy ?? '');
      lines.push(`| ${m.id} | ${m.file}:${m.line} | ${earlier} | ${m.status} | ${by.replace(/\|/g, '\\|')} |`);
    }
  }
  const survivors = r.mutants.filter((m) => m.status === 'survived');
  lines.push('', `## Survivors (${survivors.length})`, '');
  for (const m of survivors) {
    lines.push(`### ${m.id} ${m.file}:${m.line} (${m.operator})${m.codeIdentical ? ' — compiles to the original program' : ''}`, '');
    lines.push('```diff', m.diff, '```', '');
    lines.push(`exercised by (tag match): ${m.exercisedBy?.length ? m.exercisedBy.join(', ') : 'no scenario tag matches this code'}`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** Problems with a report (empty when it is well formed). */
export function validateReport(x: unknown): string[] {
  const p: string[] = [];
  const r = x as Partial<MutationReport>;
  if (r === null || typeof r !== 'object') return ['report: expected an object'];
  if (r.tool !== 'fastpath mutate') p.push('tool: expected "fastpath mutate"');
  if (r.version !== 1) p.push('version: expected 1');
  for (const f of ['seed', 'sample', 'wallSeconds'] as const) if (typeof r[f] !== 'number') p.push(`${f}: expected a number`);
  if (!Array.isArray(r.mutants)) p.push('mutants: expected a list');
  const c = r.counts;
  if (c === undefined) p.push('counts: missing');
  else if (Array.isArray(r.mutants)) {
    if (c.done !== r.mutants.length) p.push(`counts.done: ${c.done}, but ${r.mutants.length} mutants listed`);
    if (c.killed + c.survived + c.stillborn + c.equivalent !== c.done) p.push('counts: killed + survived + stillborn + equivalent != done');
    const again = r.mutants.filter((m) => (m.earlier?.length ?? 0) > 0).length;
    if ((c.retried ?? 0) !== again) p.push(`counts.retried: ${c.retried}, but ${again} mutants have earlier verdicts`);
    if (again > 0 && r.firstRunScore === undefined) p.push('firstRunScore: missing (some mutants were run again)');
  }
  for (const k of ['conformance', 'all'] as const) {
    const s = r.score?.[k];
    if (s === undefined) p.push(`score.${k}: missing`);
    else if (s.counted > 0 && Math.abs((s.score ?? -1) - s.killed / s.counted) > 1e-9) p.push(`score.${k}: score is not killed/counted`);
  }
  (r.mutants ?? []).forEach((m, i) => {
    if (!/^[0-9a-f]{12}$/.test(m.id)) p.push(`mutants[${i}].id: expected 12 hex digits`);
    if (!['killed', 'survived', 'stillborn', 'equivalent'].includes(m.status)) p.push(`mutants[${i}].status: unknown '${m.status}'`);
    if (m.status === 'killed' && !STAGES.includes(m.killedBy as Stage)) p.push(`mutants[${i}].killedBy: expected a stage`);
    if (m.status === 'stillborn' && m.stillbornBy === undefined) p.push(`mutants[${i}].stillbornBy: missing`);
    if (typeof m.diff !== 'string' || !m.diff.startsWith('--- a/')) p.push(`mutants[${i}].diff: expected a unified diff`);
  });
  return p;
}
