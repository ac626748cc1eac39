/**
 * Test support: runs nftables' own `tests/py/*.t` files (rule;ok|fail[;listing]) through this dialect,
 * the way `nft-test.py` runs them through nft: every rule in every `*family;table;chain` declared,
 * with the `:chain` definitions and the `!set` / `?set` lines seen so far.
 */
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { loadNftables } from './index.js';

export interface PyTable {
  readonly family: string;
  readonly table: string;
  readonly chains: readonly string[];
}

export interface PyCase {
  readonly line: number;
  readonly kind: 'rule' | 'set' | 'element';
  readonly text: string;
  readonly expectOk: boolean;
  /** The listing nft prints for an ok rule (the rule itself when the file gives none). */
  readonly listing?: string;
}

export interface PyCaseResult extends PyCase {
  /** Whether the dialect accepted it in every table and chain. */
  readonly accepted: boolean;
  /** Whether it was accepted in some table and chain but not all. */
  readonly mixed: boolean;
  readonly pass: boolean;
  /** For ok rules: whether the rule and nft's listing of it give the same model. */
  readonly sameAsListing?: boolean;
  readonly firstError?: string;
}

const SET_KEYWORDS = /\s+(?=(?:flags|timeout|size|policy|counter|comment|elements|gc-interval|auto-merge)\b)/g;

interface SetDef {
  readonly name: string;
  readonly map: boolean;
  readonly body: string;
  readonly elements: string[];
}

function setDecl(s: SetDef): string {
  const elems = s.elements.length > 0 ? `; elements = { ${s.elements.join(', ')} }` : '';
  return `\t${s.map ? 'map' : 'set'} ${s.name} { ${s.body.replace(SET_KEYWORDS, '; ')}${elems} }\n`;
}

function script(t: PyTable, chain: string, chainSpec: string | undefined, sets: readonly SetDef[], command: string): string {
  return `table ${t.family} ${t.table} {\n${sets.map(setDecl).join('')}\tchain ${chain} { ${chainSpec ?? ''} }\n}\n${command}\n`;
}

function strip(rs: unknown): string {
  return JSON.stringify(rs, (k, v: unknown) => (k === 'origin' ? undefined : typeof v === 'bigint' ? v.toString() : v));
}

/** Runs one `.t` file; each case is tried in every declared table and chain. */
export function runPyTestFile(text: string, fileName: string): PyCaseResult[] {
  const chainSpecs = new Map<string, string>();
  const tables: PyTable[] = [];
  const sets = new Map<string, SetDef[]>();
  const out: PyCaseResult[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('-') || line.startsWith('%')) return;
    if (line.startsWith(':')) {
      const [name, spec] = line.slice(1).split(';') as [string, string | undefined];
      chainSpecs.set(name, spec ?? '');
      return;
    }
    if (line.startsWith('*')) {
      const [family, table, chains] = line.slice(1).split(';') as [string, string, string];
      tables.push({ family, table, chains: chains.split(',') });
      return;
    }
    const parts = line.split(';');
    const body = parts[0] ?? '';
    const expectOk = parts[1] === 'ok';
    if (parts[1] !== 'ok' && parts[1] !== 'fail') return;
    const kind = body.startsWith('!') ? 'set' : body.startsWith('?') ? 'element' : 'rule';
    const c: PyCase = { line: i + 1, kind, text: body, expectOk, ...(kind === 'rule' && expectOk ? { listing: parts[2] && parts[2] !== '' ? parts[2] : body } : {}) };
    let okCount = 0;
    let total = 0;
    let firstError: string | undefined;
    let sameAsListing: boolean | undefined;
    for (const t of tables) {
      const key = `${t.family}/${t.table}`;
      const tsets = sets.get(key) ?? [];
      if (kind === 'set') {
        const m = /^!(\S+)\s+(.*)$/.exec(body);
        if (!m) continue;
        const def: SetDef = { name: m[1] as string, map: (m[2] as string).includes(' : '), body: m[2] as string, elements: [] };
        total++;
        const r = loadNftables(script(t, t.chains[0] ?? 'input', chainSpecs.get(t.chains[0] ?? ''), [...tsets, def], ''), fileName);
        const ok = !hasErrors(r.diagnostics);
        if (ok) okCount++;
        else firstError ??= r.diagnostics.find((d) => d.severity === 'error')?.message;
        if (ok && expectOk) sets.set(key, [...tsets.filter((s) => s.name !== def.name), def]);
        continue;
      }
      if (kind === 'element') {
        const m = /^\?(\S+)\s+(.*)$/.exec(body);
        if (!m) continue;
        total++;
        const cmd = `add element ${t.family} ${t.table} ${m[1]} { ${m[2]} }`;
        const r = loadNftables(script(t, t.chains[0] ?? 'input', chainSpecs.get(t.chains[0] ?? ''), tsets, cmd), fileName);
        const ok = !hasErrors(r.diagnostics);
        if (ok) okCount++;
        else firstError ??= r.diagnostics.find((d) => d.severity === 'error')?.message;
        const target = tsets.find((s) => s.name === m[1]);
        if (ok && expectOk && target) target.elements.push(m[2] as string);
        continue;
      }
      for (const chain of t.chains) {
        total++;
        const spec = chainSpecs.get(chain);
        const r = loadNftables(script(t, chain, spec, tsets, `add rule ${t.family} ${t.table} ${chain} ${body}`), fileName);
        const ok = !hasErrors(r.diagnostics);
        if (ok) okCount++;
        else firstError ??= r.diagnostics.find((d) => d.severity === 'error')?.message;
        if (ok && expectOk && c.listing !== undefined && sameAsListing !== false) {
          const l = loadNftables(script(t, chain, spec, tsets, `add rule ${t.family} ${t.table} ${chain} ${c.listing}`), fileName);
          sameAsListing = !hasErrors(l.diagnostics) && strip(l.ruleset) === strip(r.ruleset);
        }
      }
    }
    if (total === 0) return;
    const accepted = okCount === total;
    const rejected = okCount === 0;
    out.push({
      ...c, accepted, mixed: !accepted && !rejected, pass: expectOk ? accepted : rejected,
      ...(sameAsListing !== undefined ? { sameAsListing } : {}),
      ...(firstError !== undefined ? { firstError } : {}),
    });
  });
  return out;
}

/** A model or syntax tree without source positions, for comparisons across formats and files. */
export function comparable(x: unknown): string {
  return JSON.stringify(x, (k, v: unknown) => {
    if (k === 'origin' || k === 'span' || k === 'text' || k === 'files') return undefined;
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((kk) => [kk, (v as Record<string, unknown>)[kk]]));
    return v;
  });
}
