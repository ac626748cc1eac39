/** `diff`: the semantic difference between two rulesets. */
export { diffRulesets, type DiffResult, type DiffRow } from './diff.js';
