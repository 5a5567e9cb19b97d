// The datapath's own checks that need no map or interface, run over a whole change and
// collected rather than thrown: the config model's validation reports them (every one,
// with file and line) before anything is created. Applying the change runs them again.
import { parseIpv4 } from '../packet/index.js';
import { checkRule, ruleKey } from './lb-plan.js';
import { RangeSet, isRange } from './lb-range.js';
import type { ConfigChange } from './model.js';
import type { LbRule, LbRuleRef } from './lb-model.js';
import { encodePolicer } from './policer.js';
import { parsePrefix } from './prefix.js';
import { termKey, tunnelFields } from './tunnels.js';

/** One problem: the field path as text ('datapath.routes[0].prefix') and the message. */
export interface StaticIssue {
  field: string;
  message: string;
}

export interface CheckableChange extends ConfigChange {
  lbRules?: LbRule[];
  removeLbRules?: LbRuleRef[];
}

/** The datapath's errors read `<field>: <message>`. */
function issueOf(e: unknown, fallbackField: string): StaticIssue {
  const text = e instanceof Error ? e.message : String(e);
  const m = /^([A-Za-z0-9_.[\]*]+): (.*)$/s.exec(text);
  return m === null ? { field: fallbackField, message: text } : { field: m[1]!, message: m[2]! };
}

/** Every problem of `change` the datapath finds without its maps; `at` is the path of the
 *  change in the file ('datapath', 'steps[2].config'). */
export function staticIssues(change: CheckableChange, at: string): StaticIssue[] {
  const issues: StaticIssue[] = [];
  const each = <T>(list: T[] | undefined, name: string, check: (item: T, field: string) => void): void => {
    (list ?? []).forEach((item, i) => {
      const field = `${at}.${name}[${i}]`;
      try {
        check(item, field);
      } catch (e) {
        issues.push(issueOf(e, field));
      }
    });
  };
  each(change.routes, 'routes', (r, f) => {
    parsePrefix(r.prefix, `${f}.prefix`);
    if (r.local === true && (r.nextHops ?? []).length > 0) throw new Error(`${f}.nextHops: a local route takes no next hops`);
  });
  each(change.remove?.routes, 'remove.routes', (r, f) => parsePrefix(r.prefix, `${f}.prefix`));
  each(change.policers, 'policers', (p, f) => encodePolicer(p, f));
  each(change.tunnels, 'tunnels', (t, f) => tunnelFields(t, f));
  each(change.tunnelTerms, 'tunnelTerms', (t, f) => termKey(f, t));
  each(change.remove?.tunnelTerms, 'remove.tunnelTerms', (t, f) => termKey(f, t));
  each(change.tunnelRoutes, 'tunnelRoutes', (t, f) => parseIpv4(t.addr, `${f}.addr`));
  each(change.remove?.tunnelRoutes, 'remove.tunnelRoutes', (t, f) => parseIpv4(t.addr, `${f}.addr`));
  const ranges = new RangeSet();
  each(change.lbRules, 'lbRules', (rule, f) => {
    const { key, raw } = ruleKey(rule, f);
    if (isRange(raw)) ranges.add(key.toString('hex'), raw, f.slice(at.length + 1), f);
    checkRule(rule, f, raw);
  });
  each(change.removeLbRules, 'removeLbRules', (ref, f) => ruleKey(ref, f));
  return issues;
}
