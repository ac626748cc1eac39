/** Source files and positions. Text is normalised once (BOM stripped, CRLF → LF) so that spans agree. */

export interface SourceFile {
  /** The name shown to the user ('-' for standard input). */
  readonly name: string;
  readonly text: string;
  /** Offsets of the first character of each line. */
  readonly lineStarts: readonly number[];
}

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
}

export interface Span {
  readonly file: string;
  readonly start: Position;
  /** Exclusive end; same line as start for most diagnostics. */
  readonly end: Position;
}

export function sourceFile(name: string, raw: string): SourceFile {
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return { name, text, lineStarts };
}

/** The text of 1-based line `n`, without its newline. */
export function lineText(f: SourceFile, n: number): string {
  const start = f.lineStarts[n - 1];
  if (start === undefined) return '';
  const next = f.lineStarts[n];
  return f.text.slice(start, next === undefined ? f.text.length : next - 1);
}

export function positionAt(f: SourceFile, offset: number): Position {
  let lo = 0;
  let hi = f.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((f.lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (f.lineStarts[lo] as number) + 1 };
}

/** A span on one line, from 1-based column `col` for `len` characters. */
export function lineSpan(file: string, line: number, col: number, len: number): Span {
  return { file, start: { line, column: col }, end: { line, column: col + Math.max(1, len) } };
}

export function spanAt(f: SourceFile, startOffset: number, endOffset: number): Span {
  return { file: f.name, start: positionAt(f, startOffset), end: positionAt(f, Math.max(endOffset, startOffset + 1)) };
}
