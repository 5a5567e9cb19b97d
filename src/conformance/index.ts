// The conformance suite: scenario loading, running and reporting.
export { runConformance, ScenarioLoadError, plan, newConformanceRunId, type ConformanceOptions, type PlannedRun } from './runner.js';
export { loadScenarios, loadScenarioFile, type LoadResult } from './loader.js';
export { renderTap, renderJunit, renderJson, renderSummaryTable, tapHeader, tapResult, tapFooter, tapFuzz } from './reporters.js';
export { runFuzz, DEFAULT_FUZZ_COUNT, DEFAULT_FUZZ_SEED, type FuzzOptions } from './fuzz/run.js';
export { fuzzPackets } from './fuzz/corpus.js';
export { Prng } from './fuzz/prng.js';
export { selectFiles } from './select.js';
export { chiSquareTest } from './chi-square.js';
export type * from './types.js';
export { formatScenarioError } from './types.js';
