/**
 * `ipset save` output (also `ipset list -o save`): `create NAME TYPE [options]` and
 * `add NAME ENTRY [options]` lines, `#` comments. Never throws; problems are diagnostics.
 */
import { type Diagnostic, type Parsed, error, warning } from '../../diagnostics/diagnostic.js';
import { type SourceFile, lineSpan, lineText } from '../../diagnostics/source.js';

export interface IpsetEntry {
  /** The element as written (`10.0.0.0/8`, `1.2.3.4,tcp:80`, `a-b`). */
  readonly text: string;
  /** hash:net `nomatch`: an exception inside a larger entry. */
  readonly nomatch: boolean;
  readonly line: number;
  readonly column: number;
}

export interface IpsetDef {
  readonly name: string;
  /** `hash:ip`, `hash:net`, `hash:ip,port`, `bitmap:ip`, `list:set`, … */
  readonly type: string;
  readonly family: 'ipv4' | 'ipv6';
  /** `create` options after the type, as name → value (`netmask` → `24`, `range` → `a-b`). */
  readonly options: ReadonlyMap<string, string>;
  readonly entries: IpsetEntry[];
  readonly line: number;
}

export interface IpsetSave {
  readonly file: string;
  readonly sets: ReadonlyMap<string, IpsetDef>;
}

/** `create` options that take a value; the others are flags. */
const VALUED = new Set([
  'family', 'hashsize', 'maxelem', 'netmask', 'timeout', 'range', 'size', 'markmask', 'bucketsize', 'initval',
]);
/** `add` options that take a value. */
const ADD_VALUED = new Set(['timeout', 'packets', 'bytes', 'comment', 'skbmark', 'skbprio', 'skbqueue']);

function words(line: string): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  const re = /"(?:[^"\\]|\\.)*"|\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push({ text: m[0], col: m.index + 1 });
  return out;
}

export function parseIpsetSave(file: SourceFile): Parsed<IpsetSave> {
  const diagnostics: Diagnostic[] = [];
  const sets = new Map<string, IpsetDef>();
  const n = file.lineStarts.length;
  for (let line = 1; line <= n; line++) {
    const text = lineText(file, line).trimEnd();
    const ws = words(text);
    const head = ws[0];
    if (head === undefined || head.text.startsWith('#')) continue;
    const span = (w: { text: string; col: number }) => lineSpan(file.name, line, w.col, w.text.length);
    const nameW = ws[1];
    if (head.text !== 'create' && head.text !== 'add') {
      diagnostics.push(error('ipset/syntax', `expected 'create' or 'add', got '${head.text}'`, span(head)));
      continue;
    }
    if (nameW === undefined) {
      diagnostics.push(error('ipset/syntax', `'${head.text}' needs a set name`, span(head)));
      continue;
    }
    if (head.text === 'create') {
      const typeW = ws[2];
      if (typeW === undefined) {
        diagnostics.push(error('ipset/syntax', `set '${nameW.text}' has no type: expected e.g. hash:ip or hash:net`, span(nameW)));
        continue;
      }
      const options = new Map<string, string>();
      for (let i = 3; i < ws.length; i++) {
        const k = (ws[i] as { text: string }).text;
        if (VALUED.has(k) && i + 1 < ws.length) { options.set(k, (ws[i + 1] as { text: string }).text); i++; } else options.set(k, '');
      }
      const fam = options.get('family') ?? 'inet';
      if (fam !== 'inet' && fam !== 'inet6') diagnostics.push(warning('ipset/family', `set '${nameW.text}': unknown family '${fam}' (expected inet or inet6)`, span(nameW)));
      if (sets.has(nameW.text)) diagnostics.push(warning('ipset/duplicate', `set '${nameW.text}' is created twice; the later definition wins`, span(nameW)));
      sets.set(nameW.text, { name: nameW.text, type: typeW.text, family: fam === 'inet6' ? 'ipv6' : 'ipv4', options, entries: [], line });
      continue;
    }
    const set = sets.get(nameW.text);
    const entryW = ws[2];
    if (set === undefined) {
      diagnostics.push(error('ipset/unknown-set', `'add' to set '${nameW.text}', which no earlier 'create' line defines`, span(nameW)));
      continue;
    }
    if (entryW === undefined) {
      diagnostics.push(error('ipset/syntax', `'add ${nameW.text}' needs an element`, span(nameW)));
      continue;
    }
    let nomatch = false;
    for (let i = 3; i < ws.length; i++) {
      const k = (ws[i] as { text: string }).text;
      if (k === 'nomatch') nomatch = true;
      else if (ADD_VALUED.has(k)) i++;
    }
    set.entries.push({ text: entryW.text, nomatch, line, column: entryW.col });
  }
  return { value: { file: file.name, sets }, diagnostics };
}
