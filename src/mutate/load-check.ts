// `node load-check.js OBJECT`: loads the object into the kernel (every program through the
// verifier) under a pin root of its own and removes it again. Exit 0 when it loads; with
// the message when it does not (a stillborn mutant), the status saying whether the kernel
// refused it or the loader did (its maps disagree with the control plane).
import { randomBytes } from 'node:crypto';
import { Datapath, ObjectMismatchError, removePins } from '../datapath/index.js';
import { LOAD_CHECK_EXIT } from './load-check-status.js';

function main(object: string | undefined): number {
  if (object === undefined) {
    process.stderr.write('usage: load-check OBJECT\n');
    return 2;
  }
  const pinRoot = `/sys/fs/bpf/fastpath-mutate-${process.pid.toString(16)}${randomBytes(3).toString('hex')}`;
  try {
    Datapath.load({ object, pinRoot }).destroy();
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return e instanceof ObjectMismatchError ? LOAD_CHECK_EXIT.loader : LOAD_CHECK_EXIT.kernel;
  } finally {
    // A refused object may have pinned some maps before the verifier said no.
    removePins(pinRoot);
  }
}

process.exitCode = main(process.argv[2]);
