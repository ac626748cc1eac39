/**
 * The header-space engine: canonical sets of packets (BDDs), rulesets walked over all packets at
 * once, and the way back from a set to text and to a witness packet.
 */
export { Bdd, FALSE, TRUE } from './bdd.js';
export { Space } from './space.js';
export { FIELD_NAMES, STATES, type FieldName } from './layout.js';
export { MatchCompiler, type Tri, type CompileContext } from './compile-match.js';
export { SymbolicRuleset, isEarly, type ChainSets, type HookSets } from './walk.js';
export { witness, firstPackets, type WitnessTemplate } from './witness.js';
export { describeRows, describeRowsCapped, describeSet, formatRow, partitionField, type Row, type Intervals } from './describe.js';
export { ruleReach, type RuleReach } from './reach.js';
