export { Datapath, removePins, CONFIG_MAPS, type LoadOptions, type AttachOptions } from './datapath.js';
export type * from './model.js';
export { DROP_REASONS, PATHS, EVENT_TYPES } from './names.js';
export { type Counter, type DatapathEvent, EventReader, readCounters, readCounter, dumpMap, decodeEvent } from './readers.js';
export * as codecs from './codecs.js';
export { parsePrefix, formatPrefix, type Prefix } from './prefix.js';
export { removePinsOnExit, forgetPinRoot } from './pin-cleanup.js';
// issue 6
export { type PolicerState, type Colour, setPolicerState } from './policer.js';
export { readPolicers } from './policer-read.js';
export { DP3_CONFIG_MAPS } from './codecs-dp3.js';
