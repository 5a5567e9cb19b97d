// Quick edits of a running datapath's LB rules (`fastpath dp lb ...`): each edit is a
// change of the installed state, applied like a config file (one transaction).
import type { DatapathState, LbEndpoint, LbRule, LbRuleRef } from '../config/datapath-model.js';

export type LbEdit =
  | { kind: 'add'; rule: LbRule }
  | { kind: 'del'; ref: LbRuleRef }
  | { kind: 'endpoint-add'; ref: LbRuleRef; endpoint: LbEndpoint }
  | { kind: 'endpoint-del' | 'activate' | 'deactivate'; ref: LbRuleRef; endpoint: Pick<LbEndpoint, 'address' | 'port'> };

function sameRule(r: LbRuleRef, ref: LbRuleRef): boolean {
  return (
    r.vip === ref.vip &&
    r.port === ref.port &&
    r.protocol === ref.protocol &&
    (r.zone ?? 0) === (ref.zone ?? 0) &&
    (r.portEnd ?? r.port) === (ref.portEnd ?? ref.port)
  );
}

function describeRef(ref: LbRuleRef): string {
  return `${ref.protocol} ${ref.vip}:${ref.port}${ref.portEnd !== undefined ? `-${ref.portEnd}` : ''}${ref.zone ? ` zone ${ref.zone}` : ''}`;
}

function sameEndpoint(e: Pick<LbEndpoint, 'address' | 'port'>, x: Pick<LbEndpoint, 'address' | 'port'>): boolean {
  return e.address === x.address && (e.port ?? 0) === (x.port ?? 0);
}

/** The state after the edit; throws naming what is missing or already there. */
export function editLb(state: DatapathState, edit: LbEdit): DatapathState {
  const rules = [...(state.lbRules ?? [])];
  if (edit.kind === 'add') {
    if (rules.some((r) => sameRule(r, edit.rule)))
      throw new Error(`rule ${describeRef(edit.rule)} exists (delete it first, or edit its endpoints)`);
    return { ...state, lbRules: [...rules, edit.rule] };
  }
  const i = rules.findIndex((r) => sameRule(r, edit.ref));
  if (i < 0) throw new Error(`no rule ${describeRef(edit.ref)}`);
  const rule = rules[i]!;
  if (edit.kind === 'del') {
    rules.splice(i, 1);
    return { ...state, lbRules: rules };
  }
  const at = rule.endpoints.findIndex((e) => sameEndpoint(e, edit.endpoint));
  const endpoints = [...rule.endpoints];
  const name = `${edit.endpoint.address}${edit.endpoint.port !== undefined ? `:${edit.endpoint.port}` : ''}`;
  if (edit.kind === 'endpoint-add') {
    if (at >= 0) throw new Error(`rule ${describeRef(edit.ref)} already has endpoint ${name}`);
    endpoints.push(edit.endpoint);
  } else if (at < 0) {
    throw new Error(`rule ${describeRef(edit.ref)} has no endpoint ${name}`);
  } else if (edit.kind === 'endpoint-del') {
    if (endpoints.length === 1) throw new Error(`endpoint ${name} is the last of rule ${describeRef(edit.ref)} (delete the rule instead)`);
    endpoints.splice(at, 1);
  } else {
    endpoints[at] = { ...endpoints[at]!, active: edit.kind === 'activate' };
  }
  rules[i] = { ...rule, endpoints };
  return { ...state, lbRules: rules };
}
