/** The packet simulator: a concrete packet through a ruleset, with a trace of every rule visited. */
export { simulate, prepare, simulatePrepared, DEFAULT_MAX_BRANCHES, type Simulator } from './simulate.js';
export { evaluateMatch, addressTypeFromLocals, effectivePktType, type MatchContext, type MatchResult } from './evaluate-match.js';
export { explainMismatch, unknownReasons } from './explain.js';
export {
  deriveCtState, deriveCtStateWithReason, effectiveCtState, effectiveCtStatus, hasConntrackEntry, type DerivedCtState,
} from './ctstate.js';
export { parseAssumptions, type ParsedAssumptions } from './assume.js';
export { toJson, refToJson } from './to-json.js';
export { describeRuleAction } from './describe-action.js';
export { indexRuleset, type PreparedRuleset, type PreparedChain, type PreparedRule } from './index-ruleset.js';
export {
  isPolicyRef, formatRef,
  type RuleRef, type PolicyRef, type TraceStep, type TraceResult, type Verdict, type Assumption, type Alternative,
  type SimulateOptions, type AssumeFn, type AddrTypeOracle,
} from './types.js';
