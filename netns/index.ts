// The topology builder and host agents, as used by the conformance runner and tests.
export { buildTopology, type BuildTopologyOptions } from './topology/build.js';
export { Topology, namespaceName, newRunId } from './topology/topology.js';
export { withTopology, type WithTopologyOptions } from './topology/with-topology.js';
export { sweepStale, removeRunById, type SweepReport } from './topology/sweep.js';
export { validateTopology, TopologyValidationError } from './topology/validate.js';
export { loadTopologyFile } from './topology/load.js';
export { STATE_DIR } from './topology/state.js';
export type { NamespaceView, InterfaceView, RouteView, NeighbourView } from './topology/inspect.js';
export type * from './topology/types.js';
export { AgentClient, type CaptureResult } from './agent/client.js';
export type * from './agent/protocol.js';
export type { SctpClientReport, SctpExchange, SctpPeerStatus } from './agent/sctp-ops.js';
