/**
 * Lines of `nft monitor trace` (nftables 1.0.x) as data. The forms used by the harness:
 *
 *   trace id 9ee11e85 ip filter INPUT packet: iif "fwo1" … ip id 1000 ip length 40 tcp sport …
 *   trace id 9ee11e85 ip filter INPUT rule tcp dport 22 counter … # handle 5 (verdict continue)
 *   trace id 7dd21ac9 ip filter USER1 unknown rule handle 6 (verdict drop)
 *   trace id 16db4704 inet filter input policy drop
 *   trace id 23c92da9 ip6 filter INPUT policy drop meta mark 0xb571f4e3
 *
 * A rule line is printed for every rule whose match held (whatever its verdict); the rule text comes
 * from nft's cache and may be stale after a reload, so only the handle is trusted.
 */
import type { TableFamily } from '../model/ruleset.js';

export type TraceEvent =
  | { readonly kind: 'packet'; readonly id: string; readonly family: TableFamily; readonly table: string; readonly chain: string; readonly fields: string }
  | {
    readonly kind: 'rule'; readonly id: string; readonly family: TableFamily; readonly table: string; readonly chain: string;
    readonly handle: number; readonly verdict: string; readonly target?: string;
  }
  | { readonly kind: 'policy'; readonly id: string; readonly family: TableFamily; readonly table: string; readonly chain: string; readonly policy: 'accept' | 'drop' }
  | { readonly kind: 'other'; readonly id: string; readonly family: TableFamily; readonly table: string; readonly chain: string; readonly text: string };

const FAMILIES: readonly string[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];
const HEAD_RE = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;
// Lines end with ` meta mark 0x…` when the packet carries a mark.
const RULE_RE = /(?:^unknown rule handle (\d+)|# handle (\d+)) \(verdict ([^)]*)\)(?: meta mark 0x[0-9a-f]+)?\s*$/;
const POLICY_RE = /^policy (accept|drop)(?: meta mark 0x[0-9a-f]+)?\s*$/;

/** Parses one monitor line; undefined for lines that are not trace events. */
export function parseTraceLine(line: string): TraceEvent | undefined {
  const m = HEAD_RE.exec(line.trimEnd());
  if (!m) return undefined;
  const [, id, fam, table, chain, rest] = m as unknown as [string, string, string, string, string, string];
  if (!FAMILIES.includes(fam)) return undefined;
  const family = fam as TableFamily;
  if (rest.startsWith('packet: ')) return { kind: 'packet', id, family, table, chain, fields: rest.slice(8) };
  const r = RULE_RE.exec(rest);
  if (r && (rest.startsWith('rule ') || rest.startsWith('unknown rule handle '))) {
    const verdict = (r[3] as string).trim();
    const [word, target] = verdict.split(/\s+/, 2) as [string, string | undefined];
    return { kind: 'rule', id, family, table, chain, handle: Number(r[1] ?? r[2]), verdict: word, ...(target !== undefined ? { target } : {}) };
  }
  const p = POLICY_RE.exec(rest);
  if (p) return { kind: 'policy', id, family, table, chain, policy: p[1] as 'accept' | 'drop' };
  return { kind: 'other', id, family, table, chain, text: rest };
}

/** The value after `key` in a packet line's fields (`ip id 1000` → '1000'), or undefined. */
export function packetField(fields: string, key: string): string | undefined {
  const words = fields.split(/\s+/);
  const keyWords = key.split(' ');
  for (let i = 0; i + keyWords.length < words.length; i++) {
    if (keyWords.every((k, j) => words[i + j] === k)) return words[i + keyWords.length];
  }
  return undefined;
}

/** The harness tag of a traced packet: IPv4 id or IPv6 flow label, with the arrival interface. */
export function packetTag(fields: string): { readonly family: 'ipv4' | 'ipv6'; readonly tag: number; readonly iif?: string } | undefined {
  const iifRaw = packetField(fields, 'iif');
  const iif = iifRaw?.replace(/^"|"$/g, '');
  const v4 = packetField(fields, 'ip id');
  if (v4 !== undefined && /^\d+$/.test(v4)) return { family: 'ipv4', tag: Number(v4), ...(iif ? { iif } : {}) };
  const v6 = packetField(fields, 'ip6 flowlabel');
  if (v6 !== undefined && /^\d+$/.test(v6)) return { family: 'ipv6', tag: Number(v6), ...(iif ? { iif } : {}) };
  if (packetField(fields, 'ip6 saddr') !== undefined) return { family: 'ipv6', tag: 0, ...(iif ? { iif } : {}) };
  return undefined;
}

/** The line in the normalised form recorded with a case (no stale rule text). */
export function formatTraceEvent(e: TraceEvent): string {
  const head = `trace id ${e.id} ${e.family} ${e.table} ${e.chain}`;
  switch (e.kind) {
    case 'packet': return `${head} packet: ${e.fields}`;
    case 'rule': return `${head} unknown rule handle ${e.handle} (verdict ${e.verdict}${e.target !== undefined ? ` ${e.target}` : ''})`;
    case 'policy': return `${head} policy ${e.policy}`;
    case 'other': return `${head} ${e.text}`;
  }
}
