/** Rule ids and names: defined in the SDK (`sdk/src/rules.ts`); re-exported here for the node and scripts. */
export {
  describeRule,
  GLOBAL_RULE_NAMES,
  GOVERNANCE_GLOBAL_RULES,
  RULE_NAMES,
  ruleId,
  ruleLabel,
  ruleUnit,
  TIER_CAP_NAMES,
  TIER_SCOPED_RULE_NAMES,
  TIER_TERM_NAMES,
  tierRuleId,
  type RuleName,
  type RuleUnit,
} from "../../../sdk/src/rules.js";
