// The typed LB configuration: rules keyed by (VIP, port or port range, protocol, zone).
// Rule, endpoint and reference come from the configuration model (src/config).
import type { LbRule, LbRuleRef } from '../config/datapath-model.js';

export type { LbEndpoint, LbProtocol, LbRule, LbRuleRef } from '../config/datapath-model.js';

/** One transaction: every rule is validated before any map is touched. */
export interface LbChange {
  /** Added, or replacing the rule with the same key (endpoints matched by address+port). */
  rules?: LbRule[];
  /** Rules to delete, with their connections and flow-cache entries. */
  remove?: LbRuleRef[];
  /** Also delete the connections of endpoints that are inactive after this change. */
  flushInactive?: boolean;
}
