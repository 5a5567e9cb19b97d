// Wire steps with real clients through the datapath: HTTP with curl and a bulk TCP upload
// over kernel sockets, both with the cell's offloads. Besides their answers, each checks
// that the flow-cache fast path carried packets of it (on TC or XDP; on XDP itself in the
// cells where XDP forwards), and notes how the packets were carried.
import type { AgentClient, ClientReport, Topology } from '../../netns/index.js';
import type { Datapath } from '../datapath/index.js';
import type { BulkStep, Check, HttpStep } from './types.js';

const CARRIERS = ['tc_fast_hit', 'xdp_fast_hit', 'xdp_pass_csum', 'xdp_pass_mtu', 'xdp_pass_egress'] as const;
type Carried = Record<(typeof CARRIERS)[number], bigint>;

function carried(dp: Datapath): Carried {
  const p = dp.paths();
  return Object.fromEntries(CARRIERS.map((c) => [c, p[c]?.packets ?? 0n])) as Carried;
}

function delta(before: Carried, after: Carried): Carried {
  return Object.fromEntries(CARRIERS.map((c) => [c, after[c] - before[c]])) as Carried;
}

function describe(d: Carried): string {
  return `fast path: TC ${d.tc_fast_hit}, XDP ${d.xdp_fast_hit} hits; XDP left to TC: partial checksum ${d.xdp_pass_csum}, over MTU ${d.xdp_pass_mtu}, out port ${d.xdp_pass_egress}`;
}

function fastPathChecks(label: string, d: Carried, xdpForwards: boolean): Check[] {
  const fast = d.tc_fast_hit + d.xdp_fast_hit;
  const checks: Check[] = [
    {
      name: `${label}: the fast path carried it`,
      ok: fast > 0n,
      ...(fast > 0n ? {} : { detail: `no flow-cache hit on either hook during the step (${describe(d)})` }),
    },
  ];
  if (xdpForwards) {
    const ok = d.xdp_fast_hit > 0n;
    checks.push({
      name: `${label}: XDP forwarded it`,
      ok,
      ...(ok ? {} : { detail: `this cell's XDP entry should forward the flow itself (${describe(d)})` }),
    });
  }
  return checks;
}

function summarize(results: ClientReport['results']): ClientReport {
  const answers: Record<string, number> = {};
  for (const r of results) if (r.answeredBy !== null) answers[r.answeredBy] = (answers[r.answeredBy] ?? 0) + 1;
  return {
    results,
    answers,
    errors: results.filter((r) => r.answeredBy === null).length,
    timeouts: results.filter((r) => r.timedOut).length,
  };
}

export interface RealClientRun {
  report: ClientReport;
  checks: Check[];
  note: string;
}

/** count requests, each a curl process (a new connection), one after the other. */
export async function runHttp(dp: Datapath, topo: Topology, step: HttpStep, index: number, xdpForwards: boolean): Promise<RealClientRun> {
  const label = `steps[${index}] http '${step.id}'`;
  const timeoutMs = step.timeoutMs ?? 5000;
  const before = carried(dp);
  const results: ClientReport['results'] = [];
  for (let i = 0; i < (step.count ?? 1); i++) {
    const started = process.hrtime.bigint();
    try {
      const r = await topo.exec(step.from, [
        'curl',
        '--silent',
        '--show-error',
        '--globoff',
        '--noproxy',
        '*',
        '--max-time',
        String(timeoutMs / 1000),
        step.url,
      ]);
      results.push({
        index: i,
        answeredBy: r.stdout.trim(),
        latencyNs: Number(process.hrtime.bigint() - started),
        localPort: null,
        error: null,
        timedOut: false,
      });
    } catch (e) {
      const message = (e as Error).message.trim();
      results.push({
        index: i,
        answeredBy: null,
        latencyNs: null,
        localPort: null,
        error: message,
        timedOut: /timed out|\(28\)/.test(message),
      });
    }
  }
  const d = delta(before, carried(dp));
  const report = summarize(results);
  const failed = results.filter((r) => r.answeredBy === null);
  const answered: Check = {
    name: `${label}: every request answered`,
    ok: failed.length === 0,
    ...(failed.length === 0
      ? {}
      : {
          detail: `${failed.length} of ${results.length} curl requests to ${step.url} failed: ${failed
            .slice(0, 3)
            .map((r) => r.error)
            .join('; ')}`,
        }),
  };
  const who = Object.entries(report.answers)
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');
  return {
    report,
    checks: [answered, ...fastPathChecks(label, d, xdpForwards)],
    note: `http ${step.id}: ${results.length - failed.length}/${results.length} answered (${who}); ${describe(d)}`,
  };
}

/** One upload of mib MiB; exact byte count checked against the server's. */
export async function runBulk(
  dp: Datapath,
  agent: AgentClient,
  step: BulkStep,
  index: number,
  xdpForwards: boolean,
): Promise<RealClientRun> {
  const label = `steps[${index}] bulk '${step.id}'`;
  const bytes = step.mib * 1024 * 1024;
  const before = carried(dp);
  const r = await agent.bulkClient({ addr: step.to, port: step.port, bytes, timeoutMs: step.timeoutMs ?? 30000 });
  const d = delta(before, carried(dp));
  const ok = r.error === null && r.sent === bytes && r.received === bytes;
  const complete: Check = {
    name: `${label}: ${step.mib} MiB arrived whole`,
    ok,
    ...(ok
      ? {}
      : { detail: r.error !== null ? `${r.error} (${r.sent} bytes written)` : `sent ${r.sent} bytes, the server received ${r.received}` }),
  };
  const seconds = r.durationNs / 1e9;
  const rate = ok ? ` in ${seconds.toFixed(2)} s (${((bytes * 8) / seconds / 1e9).toFixed(2)} Gbit/s)` : '';
  const report = summarize([
    { index: 0, answeredBy: r.answeredBy, latencyNs: r.durationNs, localPort: null, error: r.error, timedOut: false },
  ]);
  return {
    report,
    checks: [complete, ...fastPathChecks(label, d, xdpForwards)],
    note: `bulk ${step.id}: ${ok ? `${step.mib} MiB to ${r.answeredBy}${rate}` : 'failed'}; ${describe(d)}`,
  };
}
