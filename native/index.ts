// The one door to the native addon: loads native/build/Release/fastpath.node and
// re-exports it with the types of native/fastpath.d.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Fastpath from './fastpath.js';

export type {
  NativeError,
  NetnsRef,
  OpenOptions,
  ProgramInfo,
  MapInfo,
  BtfMember,
  BtfType,
  MapLayout,
  TestRunOptions,
  TestRunResult,
  TcTarget,
  TcAttachOptions,
  TcAttachment,
  XdpTarget,
  XdpAttachOptions,
  BatchLookupResult,
} from './fastpath.js';

type Addon = typeof Fastpath;

// Compiled to dist/native/index.js; the addon stays in the source tree.
const addonUrl = new URL('../../native/build/Release/fastpath.node', import.meta.url);

function loadAddon(): Addon {
  const addonPath = fileURLToPath(addonUrl);
  if (!existsSync(addonPath)) {
    throw new Error(`native addon not built: ${addonPath} is missing; run \`make build\``);
  }
  return createRequire(import.meta.url)(addonPath) as Addon;
}

const addon = loadAddon();

export const BpfObject: typeof Fastpath.BpfObject = addon.BpfObject;
export type BpfObject = Fastpath.BpfObject;
export const BpfMap: typeof Fastpath.BpfMap = addon.BpfMap;
export type BpfMap = Fastpath.BpfMap;
export const BpfProgram: typeof Fastpath.BpfProgram = addon.BpfProgram;
export type BpfProgram = Fastpath.BpfProgram;
export const RingBuffer: typeof Fastpath.RingBuffer = addon.RingBuffer;
export type RingBuffer = Fastpath.RingBuffer;

export const detachTc: typeof Fastpath.detachTc = addon.detachTc;
export const destroyClsact: typeof Fastpath.destroyClsact = addon.destroyClsact;
export const detachXdp: typeof Fastpath.detachXdp = addon.detachXdp;
export const xdpQuery: typeof Fastpath.xdpQuery = addon.xdpQuery;
export const xdpFeatures: typeof Fastpath.xdpFeatures = addon.xdpFeatures;
export const sendFrames: typeof Fastpath.sendFrames = addon.sendFrames;
export const ifindex: typeof Fastpath.ifindex = addon.ifindex;
export const possibleCpus: typeof Fastpath.possibleCpus = addon.possibleCpus;
export const libbpfVersion: string = addon.libbpfVersion;

/** True when err is an exception thrown by the addon. */
export function isNativeError(err: unknown): err is Fastpath.NativeError {
  return (
    err instanceof Error &&
    typeof (err as Partial<Fastpath.NativeError>).code === 'string' &&
    typeof (err as Partial<Fastpath.NativeError>).errno === 'number' &&
    err.name === 'NativeError'
  );
}
