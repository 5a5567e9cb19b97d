// Ctrl-C during a benchmark: the generator must stop pumping frames into namespaces that
// the topology's own signal handler is tearing down, and the run must end with an error
// (its finally blocks then remove what the run put up). Listeners are added after the
// topology's, so the teardown has already begun when ours runs.
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export class Interrupt {
  private signal: NodeJS.Signals | null = null;
  private readonly listener = (s: NodeJS.Signals): void => {
    this.signal = s;
    for (const f of this.onSignal) f();
  };

  constructor(private readonly onSignal: (() => void)[] = []) {
    for (const s of SIGNALS) process.on(s, this.listener);
  }

  /** Throws once a signal arrived. */
  check(): void {
    if (this.signal !== null) throw new Error(`interrupted by ${this.signal}`);
  }

  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.listener);
  }
}
