// The typed configuration of the datapath. The types come from the configuration model
// (src/config/datapath-model.ts), which also gives the JSON Schema of scenario files.
export type {
  InterfaceConfig,
  RouterMacConfig,
  NextHopConfig,
  RouteConfig,
  L2EntryConfig,
  KnownMacConfig,
  RemoveSet,
  ConfigChange,
  DatapathChange,
  PolicerConfig,
  QosConfig,
  MirrorConfig,
  TunnelType,
  TunnelConfig,
  TunnelTermConfig,
  TunnelL2Config,
  TunnelRouteConfig,
} from '../config/datapath-model.js';
