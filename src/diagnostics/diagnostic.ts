/** Diagnostics are data: collected by parsers and converters, rendered by front ends. */
import type { Span } from './source.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable, namespaced: `iptables/unknown-match`, `packet/bad-address`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly related?: readonly { readonly message: string; readonly span: Span }[];
}

/** A value together with what was said while producing it. The value is partial when errors occurred. */
export interface Parsed<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

export function error(code: string, message: string, span?: Span): Diagnostic {
  return span === undefined ? { code, severity: 'error', message } : { code, severity: 'error', message, span };
}

export function warning(code: string, message: string, span?: Span): Diagnostic {
  return span === undefined ? { code, severity: 'warning', message } : { code, severity: 'warning', message, span };
}

export function info(code: string, message: string, span?: Span): Diagnostic {
  return span === undefined ? { code, severity: 'info', message } : { code, severity: 'info', message, span };
}

/** Thrown by a strict wrapper (`parseX` vs `safeParseX`) when diagnostics contain errors. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; '));
    this.name = 'DiagnosticsError';
  }
}
