// `fastpath dp lb add|del|endpoint ...`: quick edits of the running datapath's LB rules,
// sent to the daemon, which applies each as one transaction.
import { parseArgs } from 'node:util';
import { LB_PROTOCOLS, type LbEndpoint, type LbRule, type LbRuleRef } from '../config/datapath-model.js';
import { LB_ALGOS, LB_MODES } from '../datapath/lb-codecs.js';
import type { LbEdit } from './lb-edit.js';

export const LB_USAGE = `  lb add --vip ADDR --port P [--port-end P] --proto tcp|udp|sctp|icmp [--zone Z]
         [--mode ${LB_MODES.join('|')}] [--algo ${LB_ALGOS.join('|')}]
         [--snat ADDR] [--persist-ms N] [--policer ID] --endpoint EP [--endpoint EP ...]
  lb del --vip ADDR --port P [--port-end P] --proto PROTO [--zone Z]
  lb endpoint add|del|activate|deactivate --vip ADDR --port P --proto PROTO --endpoint EP
      EP is ADDR[:PORT][@WEIGHT], an IPv6 address in brackets: [fd00:2::2]:80@2
      every edit: [--pin-root DIR]`;

const OPTIONS = {
  vip: { type: 'string' },
  port: { type: 'string' },
  'port-end': { type: 'string' },
  proto: { type: 'string' },
  zone: { type: 'string' },
  mode: { type: 'string' },
  algo: { type: 'string' },
  snat: { type: 'string' },
  'persist-ms': { type: 'string' },
  policer: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
  'pin-root': { type: 'string' },
} as const;

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer ${min}..${max}, got '${v}'`);
  return n;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new Error(`--${name}: expected one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

export function parseEndpoint(spec: string): LbEndpoint {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:@[\]]+))(?::(\d+))?(?:@(\d+))?$/.exec(spec);
  if (m === null) throw new Error(`--endpoint: expected ADDR[:PORT][@WEIGHT] (IPv6 in brackets), got '${spec}'`);
  const port = int('endpoint port', m[3], 0, 65535);
  const weight = int('endpoint weight', m[4], 0, 65535);
  return { address: (m[1] ?? m[2])!, ...(port !== undefined ? { port } : {}), ...(weight !== undefined ? { weight } : {}) };
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : string };

function ref(v: Values): LbRuleRef {
  if (v.vip === undefined) throw new Error('--vip: required');
  const protocol = oneOf('proto', v.proto, LB_PROTOCOLS);
  if (protocol === undefined) throw new Error('--proto: required');
  const port = int('port', v.port, 0, 65535);
  if (port === undefined) throw new Error('--port: required (0 for icmp)');
  const portEnd = int('port-end', v['port-end'], 1, 65535);
  const zone = int('zone', v.zone, 0, 65535);
  return { vip: v.vip, port, protocol, ...(portEnd !== undefined ? { portEnd } : {}), ...(zone !== undefined ? { zone } : {}) };
}

/** The edit an argument list asks for, and the pin root it names. */
export function parseLbEdit(args: string[]): { edit: LbEdit; pinRoot?: string } {
  const [first, second, ...rest] = args;
  const endpointVerb = first === 'endpoint';
  const { values, positionals } = parseArgs({
    args: endpointVerb ? rest : [second ?? '', ...rest].filter((a) => a !== ''),
    options: OPTIONS,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
  const v = values as Values;
  const endpoints = (v.endpoint ?? []).map(parseEndpoint);
  const pinRoot = v['pin-root'] !== undefined ? { pinRoot: v['pin-root'] } : {};
  if (first === 'add') {
    if (endpoints.length === 0) throw new Error('--endpoint: at least one');
    const mode = oneOf('mode', v.mode, LB_MODES);
    const algorithm = oneOf('algo', v.algo, LB_ALGOS);
    const persistMs = int('persist-ms', v['persist-ms'], 1, 86_400_000);
    const policer = int('policer', v.policer, 0, 4095);
    const rule: LbRule = {
      ...ref(v),
      endpoints,
      ...(mode !== undefined ? { mode } : {}),
      ...(algorithm !== undefined ? { algorithm } : {}),
      ...(v.snat !== undefined ? { snatAddress: v.snat } : {}),
      ...(persistMs !== undefined ? { persistMs } : {}),
      ...(policer !== undefined ? { policer } : {}),
    };
    return { edit: { kind: 'add', rule }, ...pinRoot };
  }
  if (first === 'del') return { edit: { kind: 'del', ref: ref(v) }, ...pinRoot };
  if (endpointVerb && (second === 'add' || second === 'del' || second === 'activate' || second === 'deactivate')) {
    if (endpoints.length !== 1) throw new Error('--endpoint: exactly one');
    const endpoint = endpoints[0]!;
    if (second === 'add') return { edit: { kind: 'endpoint-add', ref: ref(v), endpoint }, ...pinRoot };
    const kind = second === 'del' ? 'endpoint-del' : second;
    return {
      edit: { kind, ref: ref(v), endpoint: { address: endpoint.address, ...(endpoint.port !== undefined ? { port: endpoint.port } : {}) } },
      ...pinRoot,
    };
  }
  throw new Error(
    `expected add, del or endpoint add|del|activate|deactivate, got '${[first, endpointVerb ? second : ''].join(' ').trim()}'`,
  );
}
