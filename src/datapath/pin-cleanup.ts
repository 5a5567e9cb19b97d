// Pin roots that must not outlive this process (tests, benchmarks): removed on normal
// exit, uncaught exceptions and SIGINT/SIGTERM/SIGHUP. A production loader does not
// use this: its pins are meant to survive a restart.
import { removePins } from './datapath.js';

const roots = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function removeAll(): void {
  for (const root of roots) {
    try {
      removePins(root);
    } catch {
      // best effort on the way out
    }
  }
  roots.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  process.off(signal, onSignal);
  // Alone: die of the signal as if unhandled. Others listening (e.g. topology teardown)
  // decide how the process exits.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

export function removePinsOnExit(root: string): void {
  roots.add(root);
  if (installed) return;
  installed = true;
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** The root was removed normally; stop tracking it. */
export function forgetPinRoot(root: string): void {
  roots.delete(root);
}
