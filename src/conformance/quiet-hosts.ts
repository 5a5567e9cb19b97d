// Wire mode: hosts whose kernels must not answer crafted packets. Injected TCP with no
// listener draws an RST (which closes the connection in the datapath's tracking), UDP an
// ICMP port unreachable, SCTP an ICMP protocol unreachable; a quiet host drops incoming
// TCP, UDP and SCTP at the input hook, after AF_PACKET captures have seen the frames. The
// rule lives in the host's namespace and goes away with it.
import { existsSync } from 'node:fs';
import type { Topology } from '../../netns/index.js';
import { NotRunnableHere } from './run-record.js';
import type { SemanticIssue } from './types.js';

export const NFT = '/usr/sbin/nft';

const TABLE = 'fastpath_quiet';

export const QUIET_RULESET = `table inet ${TABLE} {
  chain input {
    type filter hook input priority filter; policy accept;
    meta l4proto { tcp, udp, sctp } drop
  }
}
`;

export async function quietHosts(topology: Topology, hosts: string[]): Promise<void> {
  if (hosts.length === 0) return;
  if (!existsSync(NFT)) throw new NotRunnableHere(`wire.quietHosts needs ${NFT} (make setup installs nftables)`);
  for (const host of hosts) {
    try {
      await topology.exec(host, [NFT, '-f', '-'], QUIET_RULESET);
    } catch (e) {
      throw new Error(`wire.quietHosts: cannot install the drop rule on '${host}': ${(e as Error).message}`, { cause: e });
    }
  }
}

type Obj = Record<string, unknown>;

/** Checks of the scenario's `wire` section: quiet hosts exist, are not the dut, and run
 *  no server or send step (their traffic would be dropped). */
export function wireOptionIssues(doc: Obj, hosts: ReadonlySet<string> | undefined): SemanticIssue[] {
  const wire = doc.wire as Obj | undefined;
  const quiet = (wire?.quietHosts as string[] | undefined) ?? [];
  const issues: SemanticIssue[] = [];
  quiet.forEach((host, i) => {
    const path = ['wire', 'quietHosts', i];
    if (hosts !== undefined && !hosts.has(host)) issues.push({ path, message: `unknown host '${host}' (hosts: ${[...hosts].join(', ')})` });
    else if (host === doc.dut)
      issues.push({ path, message: `'${host}' is the dut: its kernel must stay free to take what the datapath hands it` });
  });
  ((wire?.allowHostCounters as string[] | undefined) ?? []).forEach((entry, i) => {
    const host = entry.split(':')[0]!;
    if (hosts !== undefined && !hosts.has(host))
      issues.push({ path: ['wire', 'allowHostCounters', i], message: `unknown host '${host}' (hosts: ${[...hosts].join(', ')})` });
  });
  (doc.steps as Obj[]).forEach((step, i) => {
    const server = step.server as Obj | undefined;
    const send = step.send as Obj | undefined;
    if (server !== undefined && quiet.includes(server.host as string)) {
      issues.push({
        path: ['steps', i, 'server', 'host'],
        message: `'${String(server.host)}' is in wire.quietHosts, which drops the TCP/UDP/SCTP its server would answer`,
      });
    }
    if (send !== undefined && quiet.includes(send.from as string)) {
      issues.push({
        path: ['steps', i, 'send', 'from'],
        message: `'${String(send.from)}' is in wire.quietHosts, which drops the answers its send step waits for`,
      });
    }
  });
  return issues;
}
