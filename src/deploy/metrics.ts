// The datapath's counters in the Prometheus text format (prom-client), read from the maps
// at each scrape: interfaces, paths, drops by reason, LB sessions per rule and endpoint,
// policer colours, CT and flow-cache occupancy.
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { Datapath } from '../datapath/index.js';
import { readPolicers } from '../datapath/index.js';

type Labels = Record<string, string | number>;

/** A gauge whose values are all set at scrape time by `read`. */
function scraped(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: (set: (labels: Labels, value: number) => void) => void,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      read((labels, value) => this.set(labels, value));
    },
  });
}

export function datapathRegistry(dp: Datapath, ifnameOf: (ifindex: number) => string): Registry {
  const r = new Registry();
  const counterPair = (
    prefix: string,
    help: string,
    label: string,
    read: () => Iterable<[string, { packets: bigint; bytes: bigint }]>,
  ): void => {
    scraped(r, `${prefix}_packets_total`, `${help} (packets)`, [label], (set) => {
      for (const [k, c] of read()) set({ [label]: k }, Number(c.packets));
    });
    scraped(r, `${prefix}_bytes_total`, `${help} (bytes)`, [label], (set) => {
      for (const [k, c] of read()) set({ [label]: k }, Number(c.bytes));
    });
  };
  counterPair('fastpath_interface_rx', 'Frames received by the datapath per interface', 'interface', () =>
    [...dp.counters('stats_intf')].map(([ifindex, c]) => [ifnameOf(ifindex), c]),
  );
  counterPair('fastpath_path', 'Packets by the path they took (fast hits, slow path, to the stack, ...)', 'path', () =>
    Object.entries(dp.paths()),
  );
  counterPair('fastpath_drop', 'Packets dropped, by reason', 'reason', () => Object.entries(dp.drops()));
  counterPair('fastpath_route', 'Packets forwarded by route id', 'route', () =>
    [...dp.counters('stats_route')].map(([id, c]) => [String(id), c]),
  );
  counterPair('fastpath_next_hop', 'Packets sent to a next hop', 'next_hop', () =>
    [...dp.counters('stats_nh')].map(([id, c]) => [String(id), c]),
  );
  scraped(r, 'fastpath_lb_endpoint_sessions', 'Open connections per LB endpoint', ['vip', 'port', 'protocol', 'endpoint'], (set) => {
    for (const rule of dp.lbRules()) {
      for (const e of rule.endpoints)
        set({ vip: rule.vip, port: rule.port, protocol: rule.protocol, endpoint: `${e.address}:${e.port}` }, e.sessions);
    }
  });
  scraped(r, 'fastpath_lb_rule_sessions', 'Open connections per LB rule', ['vip', 'port', 'protocol'], (set) => {
    for (const rule of dp.lbRules())
      set(
        { vip: rule.vip, port: rule.port, protocol: rule.protocol },
        rule.endpoints.reduce((n, e) => n + e.sessions, 0),
      );
  });
  scraped(r, 'fastpath_policer_packets_total', 'Packets metered by a policer, by colour', ['policer', 'colour'], (set) => {
    for (const p of readPolicers(dp.map('pol'), dp.map('stats_pol'))) {
      for (const [colour, c] of Object.entries(p.counters)) set({ policer: p.id, colour }, Number(c.packets));
    }
  });
  scraped(r, 'fastpath_map_entries', 'Entries in the connection table (ct, two per connection) and the flow cache (fc)', ['map'], (set) => {
    for (const name of ['ct', 'fc']) set({ map: name }, dp.map(name).batchLookup().count);
  });
  scraped(r, 'fastpath_map_capacity', 'Maximum entries of the connection table and the flow cache', ['map'], (set) => {
    for (const name of ['ct', 'fc']) set({ map: name }, dp.map(name).info.maxEntries);
  });
  return r;
}

/** Serves /metrics on host:port; resolves once listening. */
export async function serveMetrics(registry: Registry, address: string): Promise<Server> {
  const m = /^(.*):(\d+)$/.exec(address);
  if (m === null) throw new Error(`--metrics: expected HOST:PORT, got '${address}'`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500).end(`${(e as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(m[2]), host, () => resolve());
  });
  return server;
}
