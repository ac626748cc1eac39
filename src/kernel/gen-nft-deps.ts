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

/** The rule without the matches that conflict with its action or with earlier matches. */
export function makeConsistent(r: NftGenRule): NftGenRule {
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
      // It replaces the transport context: later header matches must agree with it.
      needs = { ...withIp, protos: [explicit] };
      continue;
    }
    const next = combine(needs, matchNeeds(m));
    if (next === undefined) continue;
    needs = next;
    matches.push(m);
  }
  return { ...r, matches };
}
