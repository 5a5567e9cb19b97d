// Datapath events (mac-learn, route-miss, nh-miss) as log lines: readable text or JSON lines.
import type { DatapathEvent } from '../datapath/index.js';

export type LogFormat = 'text' | 'json';

export function formatEvent(e: DatapathEvent, ifname: string, format: LogFormat, now = new Date()): string {
  const fields: Record<string, string | number> = { event: e.type, interface: ifname };
  if (e.mac !== '') fields.mac = e.mac;
  if (e.addr !== '') fields.address = e.addr;
  if (e.type === 'mac-learn') fields.port = e.id;
  if (e.type === 'nh-miss') fields.nextHop = e.id;
  if (e.vlan !== 0) fields.vlan = e.vlan;
  if (e.zone !== 0) fields.zone = e.zone;
  if (e.bd !== 0) fields.bd = e.bd;
  if (format === 'json') return JSON.stringify({ time: now.toISOString(), ...fields });
  const rest = Object.entries(fields)
    .filter(([k]) => k !== 'event')
    .map(([k, v]) => `${k}=${v}`);
  return `${now.toISOString()} ${e.type} ${rest.join(' ')}`;
}

/** A daemon message (start, reload, apply, stop) in the same format. */
export function formatMessage(
  kind: string,
  text: string,
  format: LogFormat,
  extra: Record<string, unknown> = {},
  now = new Date(),
): string {
  if (format === 'json') return JSON.stringify({ time: now.toISOString(), event: kind, message: text, ...extra });
  return `${now.toISOString()} ${kind} ${text}`;
}
