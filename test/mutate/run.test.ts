// Real mutants through the real pipeline (clang, the verifier, a packet-mode conformance
// run on this kernel): a planted fault the suite catches is killed by the packet stage, a
// fault in code the object never contains survives (the same program), a fault that does
// not compile is stillborn, a listed equivalent is not run; the report files validate, and
// a second session over the same run directory runs nothing again, and a retry runs
// the conformance survivors again and keeps their earlier verdicts.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/conformance/paths.js';
import { type Plan, runMutation } from '../../src/mutate/command.js';
import type { MutantResult } from '../../src/mutate/mutant-run.js';
import { CONTROL_PLANE_FILES, type Mutant, defaultSources, enumerateMutants } from '../../src/mutate/mutants.js';
import { validateReport } from '../../src/mutate/report.js';
import { snapshotSources } from '../../src/mutate/sandbox.js';

const isRoot = process.getuid?.() === 0;
const built =
  existsSync(join(repoRoot, 'build', 'bpf', 'fastpath.bpf.o')) && existsSync(join(repoRoot, 'native', 'build', 'Release', 'fastpath.node'));
const why = !isRoot
  ? 'needs root (loads BPF programs, builds namespaces)'
  : !built
    ? 'needs make build (build/bpf/fastpath.bpf.o and the addon)'
    : '';

const DEAD_CODE =
  '\n/* Never called: compiled out of every program. */\nstatic __always_inline int fp_mutate_test_dead_code(int x)\n{\n\treturn x < 3;\n}\n';

function find(all: Mutant[], what: string, pred: (m: Mutant) => boolean): Mutant {
  const m = all.find(pred);
  if (m === undefined) throw new Error(`no mutant ${what} in this checkout (has the source moved?)`);
  return m;
}

(why === '' ? test.serial : test.serial.skip)(
  `planted mutants: killed, dead-code survivor, stillborn, equivalent; reports validate; resume runs nothing twice; retry runs survivors again${why ? ` (skipped: ${why})` : ''}`,
  async (t) => {
    const runDir = mkdtempSync(join(tmpdir(), 'fp-mutate-run-'));
    t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
    const source = join(runDir, 'source');
    snapshotSources(repoRoot, source, CONTROL_PLANE_FILES);
    // Inside the include guard (before the header's last #endif).
    const l3 = join(source, 'bpf', 'include', 'l3.h');
    const text = readFileSync(l3, 'utf8');
    const guardEnd = text.lastIndexOf('#endif');
    writeFileSync(l3, text.slice(0, guardEnd) + DEAD_CODE.slice(1) + '\n' + text.slice(guardEnd));
    const all = enumerateMutants(source, defaultSources(source), ['relational', 'delete-statement']);

    // The IPv4 TTL decrement left out: route-v4's forwarded packets keep TTL 64.
    const killed = find(
      all,
      'deleting the IPv4 TTL decrement',
      (m) => m.file === 'bpf/include/l3.h' && m.operator === 'delete-statement' && m.before.trim() === 'ip->ttl--;',
    );
    const dead = find(
      all,
      'in the dead helper',
      (m) => m.file === 'bpf/include/l3.h' && m.before.trim() === 'return x < 3;' && m.replacement === '<=',
    );
    const stillborn: Mutant = {
      ...killed,
      id: 'ffffffffffff',
      replacement: 'ip->ttl_that_does_not_exist--;',
      after: '\t\tip->ttl_that_does_not_exist--;',
    };
    const equivalent = find(
      all,
      'another in the dead helper',
      (m) => m.file === 'bpf/include/l3.h' && m.before.trim() === 'return x < 3;' && m.replacement === '>=',
    );
    const equivalents = join(runDir, 'equivalent-mutants.yaml');
    writeFileSync(
      equivalents,
      `equivalents:\n  - id: ${equivalent.id}\n    file: bpf/include/l3.h\n    diff: "- x < 3 / + x >= 3"\n    reason: the helper is never called\n`,
    );

    const plan: Plan = {
      version: 1,
      created: new Date().toISOString(),
      seed: 1,
      sample: 4,
      operators: ['relational', 'delete-statement'],
      stages: ['packet'],
      filter: '^route-v4$',
      mutants: [killed, dead, stillborn, equivalent],
    };
    writeFileSync(join(runDir, 'plan.json'), JSON.stringify(plan));
    const report = await runMutation({ root: repoRoot, runDir, plan, jobs: 2, equivalentsFile: equivalents });

    const byId = new Map(report.mutants.map((m) => [m.id, m]));
    const k = byId.get(killed.id)!;
    t.is(k.status, 'killed', JSON.stringify(k));
    t.is(k.killedBy, 'packet');
    t.deepEqual(
      k.stages.map((s) => [s.stage, s.status]),
      [['packet', 'fail']],
    );
    t.true(
      k.stages[0]!.failures.some((f) => f.startsWith('route-v4 [packet]')),
      k.stages[0]!.failures.join('; '),
    );
    const d = byId.get(dead.id)!;
    t.is(d.status, 'survived', JSON.stringify(d));
    t.true(d.codeIdentical);
    const s = byId.get(stillborn.id)!;
    t.is(s.status, 'stillborn');
    t.is(s.stillbornBy, 'build');
    t.regex(s.detail ?? '', /ttl_that_does_not_exist/);
    t.is(byId.get(equivalent.id)!.status, 'equivalent');
    t.is(byId.get(equivalent.id)!.stages.length, 0, 'an equivalent mutant is not run');
    t.deepEqual(report.score.all, { killed: 1, counted: 2, score: 0.5 });
    t.deepEqual(report.score.conformance, { killed: 1, counted: 2, score: 0.5 });

    const json = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as unknown;
    t.deepEqual(validateReport(json), []);
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    t.regex(md, /## Survivors \(1\)/);
    t.true(md.includes(`-\treturn x < 3;\n+\treturn x <= 3;`));
    t.true(existsSync(join(runDir, 'logs', killed.id, 'packet.log')));
    t.deepEqual(
      readdirSync(join(runDir, 'mutants')).sort(),
      [killed.id, dead.id, stillborn.id].map((id) => `${id}.json`).sort(),
      'one verdict file per run mutant',
    );

    // Resume: everything has a verdict, so a second session runs nothing.
    const again = await runMutation({ root: repoRoot, runDir, plan, jobs: 1, equivalentsFile: equivalents });
    t.deepEqual(again.counts, report.counts);
    t.is(again.sessions.length, 2);
    t.is(again.sessions[1]!.ran, 0);

    // Retry: a verdict recorded as a kill by the datapath tests only (as if conformance had
    // missed it; rewritten here) is run again and killed by packet mode; the code-identical
    // survivor is run again and survives; both keep their earlier verdict, and the
    // first-run score stays beside the current one.
    const killedFile = join(runDir, 'mutants', `${killed.id}.json`);
    const recorded = JSON.parse(readFileSync(killedFile, 'utf8')) as MutantResult;
    writeFileSync(
      killedFile,
      JSON.stringify({
        ...recorded,
        status: 'killed',
        killedBy: 'unit',
        stages: [{ stage: 'unit', status: 'fail', seconds: 1, failures: ['x'] }],
      }),
    );
    const retry = await runMutation({ root: repoRoot, runDir, plan, jobs: 1, equivalentsFile: equivalents, retrySurvivors: true });
    const rk = retry.mutants.find((m) => m.id === killed.id)!;
    t.is(rk.status, 'killed', JSON.stringify(rk));
    t.is(rk.killedBy, 'packet');
    t.deepEqual(
      rk.earlier?.map((e) => [e.status, e.killedBy]),
      [['killed', 'unit']],
    );
    const rd = retry.mutants.find((m) => m.id === dead.id)!;
    t.is(rd.status, 'survived');
    t.deepEqual(
      rd.earlier?.map((e) => e.status),
      ['survived'],
    );
    t.is(retry.sessions.at(-1)!.ran, 2, 'only the two conformance survivors ran again');
    t.is(retry.counts.retried, 2);
    t.deepEqual(retry.score.conformance, { killed: 1, counted: 2, score: 0.5 });
    t.deepEqual(retry.firstRunScore?.conformance, { killed: 0, counted: 2, score: 0 });
    t.deepEqual(retry.firstRunScore?.all, { killed: 1, counted: 2, score: 0.5 });
    t.deepEqual(validateReport(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as unknown), []);
    t.regex(readFileSync(join(runDir, 'report.md'), 'utf8'), /## Run again after the conformance stages missed them \(2\)/);

    t.deepEqual(
      readdirSync(tmpdir()).filter((f) => f === `fastpath-mutate-${process.pid}`),
      [],
      'sandboxes removed',
    );
  },
);
