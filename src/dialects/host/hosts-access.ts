/**
 * /etc/hosts.allow and /etc/hosts.deny (hosts_access(5)):
 * `daemon_list : client_list [ : option [ : option … ] ]`, `\` continues a line, `#` comments.
 * Lists are separated by blanks and/or commas; `EXCEPT` nests to the right. A third field of
 * `allow` or `deny` (PROCESS_OPTIONS builds) overrides the file's meaning. A line without ':' is
 * skipped with a warning, as libwrap does.
 */
import { type Diagnostic, type Parsed, warning } from '../../diagnostics/diagnostic.js';
import { type SourceFile, lineSpan, lineText } from '../../diagnostics/source.js';
import type { WrapperList, WrapperRule } from '../../model/host.js';

const CODE = 'host/hosts-access';

/** `a, b EXCEPT c EXCEPT d` → { items [a b], except { items [c], except { items [d] } } }. */
export function parseWrapperList(text: string): WrapperList {
  const words = text.split(/[\s,]+/).filter((w) => w.length > 0);
  const at = words.findIndex((w) => w.toUpperCase() === 'EXCEPT');
  if (at < 0) return { items: words };
  return { items: words.slice(0, at), except: parseWrapperList(words.slice(at + 1).join(' ')) };
}

/** Splits on ':' outside brackets (`[fd00::]/32` holds colons). */
function splitFields(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseHostsAccess(file: SourceFile): Parsed<WrapperRule[]> {
  const out: WrapperRule[] = [];
  const diags: Diagnostic[] = [];
  const total = file.lineStarts.length;
  for (let n = 1; n <= total; n++) {
    const first = n;
    let text = lineText(file, n);
    while (text.endsWith('\\') && n < total) {
      n++;
      text = `${text.slice(0, -1)} ${lineText(file, n)}`;
    }
    const t = text.trim();
    if (t === '' || t.startsWith('#')) continue;
    const fields = splitFields(t);
    if (fields.length < 2) {
      diags.push(warning(CODE, `expected 'daemon_list : client_list', found no ':' (libwrap skips this line)`, lineSpan(file.name, first, text.indexOf(t) + 1, t.length)));
      continue;
    }
    const daemons = parseWrapperList(fields[0] as string);
    const clients = parseWrapperList(fields[1] as string);
    if (daemons.items.length === 0 || clients.items.length === 0) {
      diags.push(warning(CODE, `expected a non-empty ${daemons.items.length === 0 ? 'daemon' : 'client'} list (libwrap skips this line)`, lineSpan(file.name, first, 1, t.length)));
      continue;
    }
    const opts = fields.slice(2).map((f) => f.trim().toLowerCase());
    const verdict = opts.includes('deny') ? 'deny' : opts.includes('allow') ? 'allow' : undefined;
    out.push({
      daemons, clients, ...(verdict !== undefined ? { verdict } : {}),
      origin: { dialect: 'tcp-wrappers', file: file.name, line: first, column: text.indexOf(t) + 1, text: t, native: { line: first } },
    });
  }
  return { value: out, diagnostics: diags };
}

/**
 * The libwrap list of a snapshot: one daemon per line, `NAME [PATH]` (`sshd /usr/sbin/sshd`),
 * written by `fwdoctor collect` from `ldd`; `#` comments.
 */
export function parseLibwrapList(file: SourceFile): Parsed<string[]> {
  const out: string[] = [];
  for (let n = 1; n <= file.lineStarts.length; n++) {
    const t = lineText(file, n).trim();
    if (t === '' || t.startsWith('#')) continue;
    out.push(t.split(/\s+/)[0] as string);
  }
  return { value: out, diagnostics: [] };
}
