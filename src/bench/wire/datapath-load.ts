// Datapath.load for the benchmarks: the pin directory goes away when the load fails part
// way (the object may have pinned its maps before a check refused it) and when the
// process exits or dies of SIGINT/SIGTERM/SIGHUP mid-run (removing an already removed
// root on the way out is a no-op). dp.destroy() removes it in the normal case.
import { Datapath, forgetPinRoot, removePins, removePinsOnExit, type LoadOptions } from '../../datapath/index.js';

export function loadOrClean(options: LoadOptions): Datapath {
  removePinsOnExit(options.pinRoot);
  try {
    return Datapath.load(options);
  } catch (e) {
    removePins(options.pinRoot);
    forgetPinRoot(options.pinRoot);
    throw e;
  }
}
