// Runs the bench command's main with stdout and stderr captured (restored afterwards).
import { main } from '../../src/bench/command.js';

export async function runBenchCaptured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  };
  try {
    return { code: await main(argv), out, err };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
