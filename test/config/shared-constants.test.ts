// Enum positions and flag bits shared by C and TypeScript agree: read from the headers in
// bpf/include (enum fp_lb_mode, fp_lb_algo, fp_ct_state; every FP_*_F_* flag), compared
// with src/datapath's lists and constants. These enums never reach the object's BTF (the
// map fields holding them are __u8), so the headers are the source.
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as forwarding from '../../src/datapath/codecs.js';
import * as qosMirrorTunnel from '../../src/datapath/codecs-qos-mirror-tunnel.js';
import * as lb from '../../src/datapath/lb-codecs.js';
import * as policer from '../../src/datapath/policer.js';

const INCLUDE = fileURLToPath(new URL('../../../bpf/include', import.meta.url));
const HEADERS = readdirSync(INCLUDE)
  .filter((n) => n.endsWith('.h'))
  .map((n) => readFileSync(join(INCLUDE, n), 'utf8'))
  .join('\n');

/** The enumerators of `enum name`, in order, with their values (implicit ones counted). */
function cEnum(name: string): { name: string; value: number }[] {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(HEADERS)?.[1];
  if (body === undefined) throw new Error(`enum ${name} not found in bpf/include`);
  let next = 0;
  return body
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item) => {
      const [id, value] = item.split('=').map((x) => x.trim());
      next = value === undefined ? next : Number(value);
      return { name: id!, value: next++ };
    });
}

/** Every `#define FP_<X>_F_<Y> (1U << n)` as X_F_Y -> value. */
function cFlags(): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of HEADERS.matchAll(/#define FP_([A-Z0-9]+_F_[A-Z0-9_]+)\s+\(1U << (\d+)\)/g)) out.set(m[1]!, 2 ** Number(m[2]));
  return out;
}

/** FP_LB_DSR_IPIP -> 'dsr-ipip' (the prefix dropped). */
function tsName(cName: string, prefix: string): string {
  return cName.slice(prefix.length).toLowerCase().replace(/_/g, '-');
}

test('LB modes: LB_MODES lists enum fp_lb_mode in order', (t) => {
  const c = cEnum('fp_lb_mode');
  t.deepEqual(
    c.map((e) => e.value),
    c.map((_, i) => i),
  );
  t.deepEqual(
    [...lb.LB_MODES],
    c.map((e) => tsName(e.name, 'FP_LB_')),
  );
});

test('LB algorithms: LB_ALGOS lists enum fp_lb_algo in order', (t) => {
  const c = cEnum('fp_lb_algo');
  t.deepEqual(
    c.map((e) => e.value),
    c.map((_, i) => i),
  );
  t.deepEqual(
    [...lb.LB_ALGOS],
    c.map((e) => tsName(e.name, 'FP_LB_')),
  );
});

test('connection states: CT_STATES lists enum fp_ct_state in order', (t) => {
  const c = cEnum('fp_ct_state').filter((e) => e.name !== 'FP_CT_STATE_MAX');
  t.deepEqual(
    c.map((e) => e.value),
    c.map((_, i) => i),
  );
  // TypeScript names the UDP states by what they mean to a reader of `dp show ct`.
  const shown: Record<string, string> = { 'udp-new': 'new', 'udp-unidir': 'unidirectional' };
  t.deepEqual(
    [...lb.CT_STATES],
    c.map((e) => {
      const n = tsName(e.name, 'FP_CT_');
      return (shown[n] ?? n).replace(/-/g, '_');
    }),
  );
});

test('flag bits: every TypeScript *_F_* constant equals its FP_*_F_* define', (t) => {
  const c = cFlags();
  const ts = new Map<string, number>();
  for (const mod of [forwarding, qosMirrorTunnel, lb, policer] as Record<string, unknown>[]) {
    for (const [name, value] of Object.entries(mod))
      if (/^[A-Z0-9]+_F_[A-Z0-9_]+$/.test(name) && typeof value === 'number') ts.set(name, value);
  }
  t.true(ts.size >= 25, `${ts.size} TypeScript flags`);
  t.deepEqual(
    [...ts].filter(([name, v]) => c.get(name) !== v).map(([name, v]) => `${name}: TypeScript ${v}, C ${c.get(name) ?? 'missing'}`),
    [],
  );
  for (const name of ['INTF_F_L3', 'INTF_F_LEARN', 'CT_F_REPLY', 'CT_F_DSR', 'CT_F_IPIP', 'POL_F_VALID']) t.true(ts.has(name), name);
});
