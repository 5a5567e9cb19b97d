// Datapath.load for the benchmarks, with the pin directory removed when the load fails
// part way (the object may already have pinned its maps before a check refused it).
import { Datapath, removePins, type LoadOptions } from '../../datapath/index.js';

export function loadOrClean(options: LoadOptions): Datapath {
  try {
    return Datapath.load(options);
  } catch (e) {
    removePins(options.pinRoot);
    throw e;
  }
}
