// The declarative topology description (what a YAML/JSON file holds) and the handle a
// built topology is reached through.

export interface TopologyDescription {
  /** Free text for humans; not used to name anything. */
  name?: string;
  hosts: HostDescription[];
  links?: LinkDescription[];
}

export interface HostDescription {
  /** Short name; the namespace is fp-<runId>-<name>. */
  name: string;
  /** Shorthand for net.ipv4.ip_forward=1 and net.ipv6.conf.all.forwarding=1. */
  forwarding?: boolean;
  /** Raw sysctls under net.*, applied after the interfaces exist (so per-interface keys
   *  such as net.ipv4.conf.eth0.rp_filter work), in the order written. */
  sysctls?: Record<string, string | number | boolean>;
  routes?: RouteDescription[];
  neighbours?: NeighbourDescription[];
}

export interface RouteDescription {
  /** CIDR, or 'default' (family taken from via, else IPv4). */
  dst: string;
  via?: string;
  dev?: string;
}

export interface NeighbourDescription {
  ip: string;
  mac: string;
  dev: string;
}

export interface LinkEndDescription {
  host: string;
  /** Interface name inside the host's namespace (max 15 chars). */
  ifname: string;
  addresses?: string[];
  mac?: string;
  vlans?: VlanDescription[];
}

export interface VlanDescription {
  id: number;
  /** Defaults to <ifname>.<id>. */
  ifname?: string;
  addresses?: string[];
  mac?: string;
}

export interface LinkDescription {
  /** Defaults to '<a.host>:<a.ifname>-<b.host>:<b.ifname>'; must be unique. */
  name?: string;
  a: LinkEndDescription;
  b: LinkEndDescription;
  /** 68..65535; applied to both ends and their VLAN sub-interfaces. */
  mtu?: number;
  /** 'off' turns off checksum/segmentation offloads with ethtool when it is installed. */
  offloads?: 'on' | 'off';
}

export interface BuildOptions {
  /** Unique per run; default <pid hex><8 random hex>. Letters, digits and '_' only. */
  runId?: string;
}
