export { Datapath, removePins, CONFIG_MAPS, type LoadOptions, type AttachOptions } from './datapath.js';
export type * from './model.js';
export { DROP_REASONS, PATHS, EVENT_TYPES } from './names.js';
export { type Counter, type DatapathEvent, EventReader, readCounters, readCounter, dumpMap, decodeEvent } from './readers.js';
export * as codecs from './codecs.js';
export { parsePrefix, formatPrefix, type Prefix } from './prefix.js';
export { removePinsOnExit, forgetPinRoot } from './pin-cleanup.js';
export { LRU_LOCAL_FREE, MAX_CONNECTIONS, connectionMapSizes } from './capacity.js';
export type * from './lb-model.js';
export { type CtEntry, type FcEntry, type FlowTuple, type CtTimeouts, DEFAULT_CT_TIMEOUTS, CtSweeper, monotonicNs } from './ct.js';
export type { LbRuleView } from './lb.js';
export { maglevSize, maglevTable, wrrSequence } from './maglev.js';
export * as lbCodecs from './lb-codecs.js';
// issue 6
export { type PolicerState, type Colour, setPolicerState } from './policer.js';
export { readPolicers } from './policer-read.js';
export { DP3_CONFIG_MAPS } from './codecs-dp3.js';
