/** `ip -j rule` and `ip -6 -j rule`: policy routing, the rules that pick a routing table. */
import { type Diagnostic, type Parsed, warning } from '../../diagnostics/diagnostic.js';
import type { SourceFile } from '../../diagnostics/source.js';
import { type Cidr, type Family, parseCidr } from '../../model/address.js';
import type { PolicyRule } from '../../model/host.js';
import { isRecord, readJsonItems } from './json-items.js';

const CODE = 'host/ip-rule';

function selector(v: unknown, len: unknown, family: Family): Cidr | undefined {
  if (typeof v !== 'string' || v === 'all') return undefined;
  return parseCidr(typeof len === 'number' ? `${v}/${len}` : v, family);
}

function readMark(v: unknown, mask: unknown): { value: number; mask: number } | undefined {
  const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : typeof x === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(x) ? Number(x) : undefined);
  const value = num(v);
  if (value === undefined) return undefined;
  return { value, mask: num(mask) ?? 0xffffffff };
}

export function parseIpRule(file: SourceFile, family: Family): Parsed<PolicyRule[]> {
  const { items, diagnostics } = readJsonItems(file, CODE, '`ip -j rule`');
  const out: PolicyRule[] = [];
  const diags: Diagnostic[] = [...diagnostics];
  for (const item of items) {
    const o = item.value;
    if (!isRecord(o) || typeof o.priority !== 'number') {
      diags.push(warning(CODE, `expected a rule object with a numeric "priority", got ${JSON.stringify(o)?.slice(0, 60)}; skipped`, item.span));
      continue;
    }
    const from = selector(o.src, o.srclen, family);
    const to = selector(o.dst, o.dstlen, family);
    const mark = readMark(o.fwmark, o.fwmask);
    const action: PolicyRule['action'] = typeof o.action === 'string' && ['blackhole', 'unreachable', 'prohibit', 'goto', 'nop'].includes(o.action)
      ? (o.action as PolicyRule['action']) : 'lookup';
    out.push({
      family, priority: o.priority, not: o.not === null || o.not === true,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(typeof o.iif === 'string' ? { iif: o.iif } : {}),
      ...(typeof o.oif === 'string' ? { oif: o.oif } : {}),
      ...(mark !== undefined ? { fwmark: mark } : {}),
      action,
      ...(typeof o.table === 'string' || typeof o.table === 'number' ? { table: String(o.table) } : {}),
      origin: { dialect: 'ip-rule', file: file.name, line: item.span.start.line, column: item.span.start.column, text: JSON.stringify(o), native: { priority: o.priority } },
    });
  }
  out.sort((a, b) => a.priority - b.priority);
  return { value: out, diagnostics: diags };
}
