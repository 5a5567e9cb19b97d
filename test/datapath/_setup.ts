// Shared set-up for the datapath tests: a fresh pin root per test file, the datapath
// loaded in this process's namespace (test-run mode uses 'lo', ifindex 1, as the
// receiving interface), and byte comparison with a layer-by-layer diff on mismatch.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { Datapath } from '../../src/datapath/index.js';
import { removePinsOnExit } from '../../src/datapath/pin-cleanup.js';
import { diffPackets, renderDiff } from '../../src/packet/index.js';

export const OBJECT = fileURLToPath(new URL('../../../build/bpf/fastpath.bpf.o', import.meta.url));

export const ROUTER_MAC = '02:00:00:00:00:01';
export const CLIENT_MAC = '02:00:00:00:00:aa';

/** A fresh pin root, removed when this process ends (also on Ctrl-C). */
export function pinRoot(): string {
  const root = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}`;
  removePinsOnExit(root);
  return root;
}

export function loadDatapath(object = OBJECT): Datapath {
  return Datapath.load({ object, pinRoot: pinRoot() });
}

/** Router MAC on bd 0, 'lo' untagged as port 1 zone 0 with routing on. */
export function baseConfig(dp: Datapath): void {
  dp.apply({
    interfaces: [{ ifname: 'lo', port: 1, zone: 0, xdpTx: 'on' }],
    routerMacs: [{ mac: ROUTER_MAC }],
  });
}

export function assertBytes(t: ExecutionContext, actual: Buffer | null, expected: Buffer, what: string): void {
  if (actual === null) {
    t.fail(`${what}: no output packet`);
    return;
  }
  if (!actual.equals(expected)) t.log(`${what}: expected vs actual\n${renderDiff(diffPackets(expected, actual))}`);
  t.is(actual.toString('hex'), expected.toString('hex'), what);
}

/** The Internet checksum of an IPv4 header is valid when it folds to 0xffff. */
export function ipv4HeaderChecksumValid(frame: Buffer, l3Offset: number): boolean {
  const ihl = (frame[l3Offset]! & 0x0f) * 4;
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += frame.readUInt16BE(l3Offset + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return sum === 0xffff;
}
