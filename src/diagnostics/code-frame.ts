/**
 * Renders a diagnostic the way compilers do:
 *
 *   rules.v4:12:17 error iptables/unknown-match  Unknown match module 'foo'
 *     11 | -A INPUT -p tcp --dport 22 -j ACCEPT
 *   > 12 | -A INPUT -p tcp -m foo --bar 1 -j DROP
 *        |                 ^^^^^^
 */
import type { Diagnostic } from './diagnostic.js';
import { type SourceFile, lineText } from './source.js';

export interface FrameStyle {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const PLAIN: FrameStyle = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, dim: (s) => s, bold: (s) => s };

/** Control characters in user text would corrupt the terminal; show them as escapes. */
export function sanitizeForTerminal(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function formatDiagnostic(d: Diagnostic, files: ReadonlyMap<string, SourceFile>, style: FrameStyle = PLAIN): string {
  const sev = d.severity === 'error' ? style.red('error') : d.severity === 'warning' ? style.yellow('warning') : style.cyan('info');
  const where = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column} ` : '';
  const head = `${style.bold(where)}${sev} ${style.dim(d.code)}  ${sanitizeForTerminal(d.message)}`;
  const file = d.span ? files.get(d.span.file) : undefined;
  if (!d.span || !file) return head;
  const { start, end } = d.span;
  const width = String(start.line).length;
  const lines: string[] = [head];
  if (start.line > 1) {
    lines.push(style.dim(`  ${String(start.line - 1).padStart(width)} | `) + sanitizeForTerminal(lineText(file, start.line - 1)));
  }
  lines.push(`${style.bold('>')} ${String(start.line).padStart(width)} | ${sanitizeForTerminal(lineText(file, start.line))}`);
  const len = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, lineText(file, start.line).length - start.column + 1);
  lines.push(`  ${' '.repeat(width)} | ${' '.repeat(start.column - 1)}${style.red('^'.repeat(len))}`);
  return lines.join('\n');
}
