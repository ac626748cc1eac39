/**
 * nft refuses a rule whose payload expressions imply different protocols (`tcp flags … udp dport`:
 * "conflicting protocols specified: tcp vs. udp"; `ip6 saddr … reject with icmp type …`: "ip vs
 * ip6"). Generated rules are made consistent: the action's needs are fixed first, then each match
 * is kept only when its needs agree with what the rule already needs.
 */
import type { Family } from '../model/address.js';
import type { NftGenAction, NftGenMatch, NftGenRule, NumSel, VmapKey } from './gen-nft-syntax.js';
import { selInfo } from './gen-nft-eval.js';

/** A pseudo protocol number for `th` ports. */
const TH = -1;
/** The protocol an explicit match of a set leaves in nft's context: one nothing else agrees with. */
const SOME = -2;

interface Needs {
  /** Layer-4 protocols the rule can still have (undefined: any). */
  readonly protos?: readonly number[];
  readonly ip?: Family;
}

function selNeeds(sel: NumSel): Needs {
  const i = selInfo(sel);
  // `meta l4proto` and `ip protocol` / `ip6 nexthdr` test the protocol; they imply none.
  if (i.field === 'protocol') return i.ip !== undefined ? { ip: i.ip } : {};
  // `th` ports (after `meta l4proto { tcp, udp }`) do not mix with tcp / udp header matches in one rule.
  const protos = sel.startsWith('th ') ? [TH] : i.protos;
  return { ...(protos ? { protos } : {}), ...(i.ip ? { ip: i.ip } : {}) };
}

function keyNeeds(k: VmapKey): Needs {
  switch (k.kind) {
    case 'num': return selNeeds(k.sel);
    case 'addr': return { ip: k.ip };
    case 'concat': return { ip: k.ip, protos: [k.proto === 'tcp' ? 6 : 17] };
  }
}

export function matchNeeds(m: NftGenMatch): Needs {
  switch (m.kind) {
    case 'num': return selNeeds(m.sel);
    case 'addr': return { ip: m.ip };
    case 'flags': return { protos: [6] };
    case 'concat': return { ip: m.ip, protos: [m.proto === 'tcp' ? 6 : 17] };
    case 'ct': case 'iif': return {};
  }
}

export function actionNeeds(a: NftGenAction): Needs {
  if (a.kind === 'vmap') return keyNeeds(a.key);
  if (a.kind !== 'reject') return {};
  if (a.with === 'with tcp reset') return { protos: [6] };
  if (a.with.startsWith('with icmp type')) return { ip: 'ipv4' };
  if (a.with.startsWith('with icmpv6 type')) return { ip: 'ipv6' };
  return {};
}

/** The needs of both, or undefined when they conflict. */
function combine(a: Needs, b: Needs): Needs | undefined {
  if (a.ip !== undefined && b.ip !== undefined && a.ip !== b.ip) return undefined;
  let protos = a.protos;
  if (b.protos !== undefined) {
    protos = protos === undefined ? b.protos : protos.filter((p) => b.protos?.includes(p));
    if (protos.length === 0) return undefined;
  }
  const ip = a.ip ?? b.ip;
  return { ...(protos ? { protos } : {}), ...(ip ? { ip } : {}) };
}

/** `meta l4proto tcp`, `ip protocol 17`: the protocol a single-value equality sets for later header matches. */
function explicitProtocol(m: NftGenMatch): number | undefined {
  if (m.kind !== 'num' || selInfo(m.sel).field !== 'protocol') return undefined;
  const f = m.form;
  // nft turns a one-element set into a plain value: `meta l4proto { icmp }` sets the protocol too;
  // a set of several sets one of them (`ip6 nexthdr { udp, esp } udp dport 1`: "esp vs. udp").
  if (f.kind === 'set' && !f.neg) return f.items.length === 1 && f.items[0]?.[0] === f.items[0]?.[1] ? f.items[0]?.[0] : SOME;
  if (f.kind !== 'cmp') return undefined;
  return f.op === '' || f.op === '==' ? f.value : undefined;
}

/**
 * The header a single-value `!=` comparison loads from, if the match is one. nft 1.0.6 merges two
 * `!=` comparisons of adjacent fields of one header into one compare (`ip protocol != udp ip ttl !=
 * 128` runs as `(ttl, protocol) != (128, 17)`: it matches unless both are equal) — an nft bug fixed
 * upstream in 2024. Like the iptables-nft corners (docs/kernel-testing.md), the generator keeps to
 * one such comparison per header and rule, and fwdoctor keeps the rule's written meaning.
 */
function neqHeader(m: NftGenMatch): 'net' | 'l4' | undefined {
  switch (m.kind) {
    case 'num': {
      const single = (m.form.kind === 'cmp' && m.form.op === '!=') || (m.form.kind === 'set' && m.form.neg && m.form.items.length === 1 && m.form.items[0]?.[0] === m.form.items[0]?.[1]);
      if (!single) return undefined;
      const f = selInfo(m.sel).field;
      return f === 'sport' || f === 'dport' || f === 'icmpType' || f === 'icmpCode' ? 'l4' : m.sel === 'meta l4proto' ? undefined : 'net';
    }
    case 'addr': return m.form.neg && (m.form.kind === 'one' || (m.form.kind === 'set' && m.form.items.length === 1)) ? 'net' : undefined;
    case 'flags': return m.form.kind === 'exact' && m.form.op === '!=' ? 'l4' : undefined;
    default: return undefined;
  }
}

/** The rule without the matches that conflict with its action or with earlier matches. */
export function makeConsistent(r: NftGenRule): NftGenRule {
  const neqs = new Set<string>();
  let ordered = false;
  const kept = r.matches.filter((m) => {
    // nft 1.0.6 lists two ordering comparisons in a row as one range on the second selector
    // (`icmp code < 6 ip ttl > 64` is listed as `ip ttl != 6-64`, the kernel runs both): keep one per rule.
    if (m.kind === 'num' && m.form.kind === 'cmp' && ['<', '>', '<=', '>='].includes(m.form.op)) {
      if (ordered) return false;
      ordered = true;
    }
    const h = neqHeader(m);
    if (h === undefined) return true;
    if (neqs.has(h)) return false;
    neqs.add(h);
    return true;
  });
  return dependencies({ ...r, matches: kept });
}

function dependencies(r: NftGenRule): NftGenRule {
  const act = actionNeeds(r.action);
  let needs: Needs = act;
  const matches: NftGenMatch[] = [];
  for (const m of r.matches) {
    const explicit = explicitProtocol(m);
    if (explicit !== undefined) {
      // nft takes an explicit protocol after a header match of another one (the rule never matches),
      // but not a header match after an explicit protocol it contradicts — the action's comes after.
      const withIp = combine(needs, matchNeeds(m));
      if (withIp === undefined || (act.protos !== undefined && !act.protos.includes(explicit))) continue;
      matches.push(m);
      // Later header matches must agree with it — and, when it contradicts an earlier one, with both
      // (`tcp dport 1 meta l4proto udp udp sport 2`: "tcp vs. udp"), so none can follow.
      const agrees = needs.protos === undefined || needs.protos.includes(explicit);
      needs = { ...withIp, protos: [agrees ? explicit : SOME] };
      continue;
    }
    const next = combine(needs, matchNeeds(m));
    if (next === undefined) continue;
    needs = next;
    matches.push(m);
  }
  return { ...r, matches };
}
