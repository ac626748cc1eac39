/**
 * Spans of the syntax tree. A parsed file holds one span per token it keeps (hundreds of thousands
 * for a large ruleset), so a span is stored as four numbers and builds its start/end positions
 * when they are read. Diagnostics get plain-object spans (`plainSpan`) so that they are data.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Position, Span } from '../../diagnostics/source.js';

export class LineSpan implements Span {
  constructor(
    readonly file: string,
    readonly line: number,
    /** 1-based column of the first character. */
    readonly column: number,
    readonly length: number,
  ) {}

  get start(): Position {
    return { line: this.line, column: this.column };
  }

  get end(): Position {
    return { line: this.line, column: this.column + Math.max(1, this.length) };
  }
}

export function plainSpan(s: Span): Span {
  return { file: s.file, start: { ...s.start }, end: { ...s.end } };
}

/** The diagnostic with plain spans (its own and its related ones). */
export function plainDiagnostic(d: Diagnostic): Diagnostic {
  if (d.span === undefined) return d;
  const out: Diagnostic = { ...d, span: plainSpan(d.span) };
  return d.related === undefined ? out : { ...out, related: d.related.map((r) => ({ message: r.message, span: plainSpan(r.span) })) };
}
