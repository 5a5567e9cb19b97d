// nftables DNAT load balancing, the kernel's own answer to what our datapath does: a NAT
// chain at prerouting that spreads new flows over the backends round robin (numgen), or
// sends them all to a single backend, conntrack keeping every later packet of a flow on
// its backend.
import { existsSync } from 'node:fs';

export interface NftDnat {
  /** Table name (family ip); deleted whole on teardown. */
  table: string;
  vip: string;
  proto: 'tcp' | 'udp';
  port: number;
  /** One or more IPv4 backends (same port); two or more are spread round robin. */
  backends: string[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function nftDnatRuleset(d: NftDnat): string {
  if (!NAME.test(d.table)) throw new Error(`table: '${d.table}' is not a plain nftables name`);
  if (d.backends.length < 1) throw new Error('backends: expected at least 1, got 0');
  for (const [i, a] of [d.vip, ...d.backends].entries()) {
    if (!IPV4.test(a)) throw new Error(`${i === 0 ? 'vip' : `backends[${i - 1}]`}: '${a}' is not an IPv4 address`);
  }
  if (!Number.isInteger(d.port) || d.port < 1 || d.port > 65535) throw new Error(`port: expected 1..65535, got ${d.port}`);
  const map = d.backends.map((b, i) => `${i} : ${b}`).join(', ');
  const to = d.backends.length === 1 ? d.backends[0] : `numgen inc mod ${d.backends.length} map { ${map} }`;
  return [
    `table ip ${d.table} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    ip daddr ${d.vip} ${d.proto} dport ${d.port} dnat to ${to}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The nftables binary by absolute path: under npx/npm run, PATH starts with
 *  node_modules/.bin, where an npm package of the same name (a file tracer) lives. */
export function nftBinary(): string {
  const found = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].find((p) => existsSync(p));
  if (found === undefined) throw new Error('nftables: no nft binary in /usr/sbin, /sbin or /usr/bin (apt-get install nftables)');
  return found;
}

export type Exec = (argv: string[], input?: string) => Promise<{ stdout: string }>;

/** Installs the table; returns its teardown (idempotent). */
export async function installNftDnat(exec: Exec, d: NftDnat): Promise<() => Promise<void>> {
  await exec([nftBinary(), '-f', '-'], nftDnatRuleset(d));
  let removed = false;
  return async () => {
    if (removed) return;
    removed = true;
    await exec([nftBinary(), 'delete', 'table', 'ip', d.table]);
  };
}

/** Names of the ip-family tables present (for leftover checks). */
export async function nftTables(exec: Exec): Promise<string[]> {
  const out = (await exec([nftBinary(), 'list', 'tables'])).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0] === 'table')
    .map((w) => w.slice(1).join(' '));
}
