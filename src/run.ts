// The main job (`make run`): smoke-check the datapath on real packets, then the stages
// that later issues add (the conformance suite and a quick benchmark).
import { renderSmoke, runSmoke } from './smoke.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: fastpath run\n\nSmoke-checks the datapath on real packets, then runs the conformance suite and a quick benchmark.\n');
    return 0;
  }
  const report = await runSmoke();
  process.stdout.write(renderSmoke(report) + '\n');
  const interfacePackets = Object.values(report.interfaces).reduce((n, c) => n + c.packets, 0n);
  if (report.pings.received !== report.pings.sent || interfacePackets < BigInt(report.pings.sent)) {
    process.stderr.write('fastpath run: the smoke check failed: pings lost or not counted\n');
    return 1;
  }
  return 0;
}
