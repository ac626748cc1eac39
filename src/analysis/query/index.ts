/** `query`: what a ruleset accepts or blocks in a slice of the header space, and fffuu's service matrix. */
export { parseSlice, type Slice } from './slice.js';
export { queryRuleset, sliceSet, tabulate, type QueryOptions, type QueryResult, type QueryRow } from './query.js';
export { serviceMatrix, type ServiceMatrix, type ServiceMatrixOptions, type ServiceClass } from './service-matrix.js';
export { serviceMatrixToJson, formatServiceMatrix } from './format-matrix.js';
export { parseIpassmt, type Ipassmt, type IpassmtEntry } from './ipassmt.js';
export { applyIpassmt, ipassmtMode, type AppliedIpassmt, type IpassmtMode } from './apply-ipassmt.js';
