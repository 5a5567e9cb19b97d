// Every live topology of this process is torn down on every way out: normal exit and
// uncaught exceptions (the 'exit' event, synchronously), SIGINT/SIGTERM/SIGHUP (async
// teardown, then the signal is raised again so the exit status says what happened).

export interface Destroyable {
  destroy(): Promise<void>;
  destroySync(): void;
}

const live = new Set<Destroyable>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;
let handlingSignal = false;
let signalExit: Promise<void> | null = null;

function onExit(): void {
  for (const t of [...live]) t.destroySync();
}

function onSignal(signal: NodeJS.Signals): void {
  if (handlingSignal) return;
  handlingSignal = true;
  const all = [...live].map((t) => t.destroy());
  signalExit = Promise.allSettled(all).then(() => {
    uninstall();
    // With our handler gone the default action applies: the process dies of the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    else process.exit(128 + signalNumber(signal));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1;
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

export function track(t: Destroyable): void {
  install();
  live.add(t);
}

export function untrack(t: Destroyable): void {
  live.delete(t);
  if (live.size === 0 && !handlingSignal) uninstall();
}

/** While a signal is tearing everything down, the promise of that teardown and the exit
 *  that follows it (the process normally dies before it settles); else null. */
export function signalTeardown(): Promise<void> | null {
  return signalExit;
}

export function liveCount(): number {
  return live.size;
}
