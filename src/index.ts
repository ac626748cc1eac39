/**
 * fwdoctor's library API: load firewall configuration into the vendor-neutral model, and simulate
 * packets through it. The CLI is a thin layer over these functions.
 *
 *   import { loadIptables, prepare, packetFromText } from 'fwdoctor';
 *   const { ruleset, diagnostics } = loadIptables(text, 'rules.v4');
 *   const { packet } = packetFromText('tcp 198.18.0.5:40000 -> 198.19.0.2:22');
 *   const result = prepare(ruleset).simulate(packet!);   // result.verdict, result.decidedBy, result.steps
 */

// The model.
export * from './model/index.js';

// Diagnostics.
export {
  type Diagnostic, type Severity, type Parsed, hasErrors, DiagnosticsError,
} from './diagnostics/diagnostic.js';
export { type SourceFile, type Span, type Position, sourceFile } from './diagnostics/source.js';
export { formatDiagnostic } from './diagnostics/code-frame.js';

// Dialects.
export type { Dialect, DialectId, ConvertContext } from './dialects/dialect.js';
export { DIALECTS, detectDialect } from './dialects/registry.js';
export {
  iptablesDialect, loadIptables, parseIptablesSave, printIptablesSave,
  type IptablesOptions, type LoadedIptables, type IptablesSyntax,
} from './dialects/iptables/index.js';

// Simulation.
export {
  simulate, prepare, toJson, parseAssumptions, deriveCtState, evaluateMatch, explainMismatch, formatRef, isPolicyRef,
  type Simulator, type TraceResult, type TraceStep, type RuleRef, type PolicyRef, type Verdict, type SimulateOptions,
  type Alternative, type Assumption,
} from './analysis/simulate/index.js';
export { findUnreachedAccepts, type UnreachedAccept } from './analysis/why/unreached.js';

// Output helpers.
export { shellQuote, shellCommand } from './text/shell-quote.js';
