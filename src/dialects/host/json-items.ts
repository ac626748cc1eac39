/**
 * The JSON arrays `ip -j` prints, read with the position of every element so that diagnostics
 * point at file:line:column. Errors are returned, never thrown.
 */
import { type Diagnostic, error } from '../../diagnostics/diagnostic.js';
import { type SourceFile, type Span, spanAt } from '../../diagnostics/source.js';

export interface JsonItem {
  readonly value: unknown;
  readonly span: Span;
}

/** Offsets of the first character of each element of the top-level array starting at `open`. */
function elementStarts(text: string, open: number): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') continue;
    if (depth === 1 && expectValue && c !== ']') {
      starts.push(i);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
    if (depth === 0) break;
  }
  return starts;
}

function endsEarly(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    return /end of (JSON )?input|Unterminated/i.test(msg) || (pos !== null && Number(pos[1]) >= text.length);
  }
}

/** Where JSON goes wrong when the engine does not say: the shortest prefix that is not a valid beginning. */
function firstBadOffset(text: string): number {
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (endsEarly(text.slice(0, mid))) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** Parses a JSON array document (empty text: no items). */
export function readJsonItems(file: SourceFile, code: string, what: string): { items: JsonItem[]; diagnostics: Diagnostic[] } {
  const text = file.text;
  if (text.trim() === '') return { items: [], diagnostics: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const offset = pos ? Number(pos[1]) : firstBadOffset(text);
    return { items: [], diagnostics: [error(code, `expected the JSON array printed by ${what}, got invalid JSON (${msg})`, spanAt(file, offset, offset + 1))] };
  }
  const open = text.search(/\S/);
  if (!Array.isArray(value)) {
    return { items: [], diagnostics: [error(code, `expected the JSON array printed by ${what}, got ${value === null ? 'null' : typeof value}`, spanAt(file, open, open + 1))] };
  }
  const starts = elementStarts(text, open);
  const items = value.map((v: unknown, i) => {
    const at = starts[i] ?? open;
    return { value: v, span: spanAt(file, at, at + 1) };
  });
  return { items, diagnostics: [] };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
