/**
 * `-m icmp --icmp-type` (iptables) and `-m icmp6 --icmpv6-type` (ip6tables): a type name (any
 * unambiguous prefix, as iptables accepts), `type`, `type/code` or `type/code:code`; `any` (type 255)
 * matches every ICMP packet, as the kernel's icmp match does.
 */
import { ICMPV6_TYPES, ICMP_TYPES, type IcmpTypeName } from '../../../model/protocol.js';
import { ANY, and, negateIf } from '../../../model/match.js';
import { type ArgResult, type MatchSpec, bad, get, ok, option } from '../extension.js';
import { numEq, numRange } from '../shared.js';
import { requireSome } from '../ext-helpers.js';
import { readUint } from '../values.js';

export interface IcmpType {
  readonly type: number;
  readonly codes: readonly [number, number];
}

const LOWER = new Map<readonly IcmpTypeName[], readonly (readonly [string, IcmpTypeName])[]>();

function lowered(names: readonly IcmpTypeName[]): readonly (readonly [string, IcmpTypeName])[] {
  let l = LOWER.get(names);
  if (l === undefined) { l = names.map((n) => [n.name.toLowerCase(), n] as const); LOWER.set(names, l); }
  return l;
}

function readIcmpType(text: string, names: readonly IcmpTypeName[], v6: boolean): ArgResult<IcmpType> {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) return readNumericIcmp(text, v6);
  const lower = text.toLowerCase();
  if (!v6 && lower === 'any') return ok({ type: 255, codes: [0, 255] });
  const hits = lowered(names).filter(([n]) => n.startsWith(lower)).map(([, n]) => n);
  const exact = hits.find((n) => n.name.toLowerCase() === lower);
  if (exact) return ok({ type: exact.type, codes: exact.codes });
  if (hits.length > 1) {
    return bad(`ambiguous ICMP${v6 ? 'v6' : ''} type '${text}': ${hits.map((h) => h.name).join(' or ')}?`);
  }
  const first = hits[0];
  if (first) return ok({ type: first.type, codes: first.codes });
  return readNumericIcmp(text, v6);
}

/** `type`, `type/code` or `type/code:code`. */
function readNumericIcmp(text: string, v6: boolean): ArgResult<IcmpType> {
  const slash = text.indexOf('/');
  const t = readUint(slash < 0 ? text : text.slice(0, slash), 0, 255);
  if (t === undefined) return bad(`unknown ICMP${v6 ? 'v6' : ''} type '${text}': expected a name (see iptables -p ${v6 ? 'icmpv6' : 'icmp'} -h), a number in 0-255 or type/code`);
  if (slash < 0) return ok({ type: t, codes: [0, 255] });
  const codeText = text.slice(slash + 1);
  const colon = codeText.indexOf(':');
  const lo = readUint(colon < 0 ? codeText : codeText.slice(0, colon), 0, 255);
  const hi = colon < 0 ? lo : readUint(codeText.slice(colon + 1), 0, 255);
  if (lo === undefined || hi === undefined || lo > hi) return bad(`invalid ICMP code '${codeText}': expected a number or a range in 0-255`);
  return ok({ type: t, codes: [lo, hi] });
}

function showIcmp(v: IcmpType, v6: boolean): string {
  if (!v6 && v.type === 255 && v.codes[0] === 0 && v.codes[1] === 255) return 'any';
  if (v.codes[0] === 0 && v.codes[1] === 255) return String(v.type);
  return v.codes[0] === v.codes[1] ? `${v.type}/${v.codes[0]}` : `${v.type}/${v.codes[0]}:${v.codes[1]}`;
}

function toIcmpMatch(v: IcmpType, invert: boolean, v6: boolean) {
  // The kernel's icmp match treats type 255 as "any type" (IPv4 only).
  if (!v6 && v.type === 255) return negateIf(invert, ANY);
  const code = v.codes[0] === 0 && v.codes[1] === 255 ? ANY : numRange('icmpCode', v.codes[0], v.codes[1]);
  return negateIf(invert, and(numEq('icmpType', v.type), code));
}

export const icmp: MatchSpec = {
  kind: 'match',
  name: 'icmp',
  family: 'ipv4',
  protocols: { numbers: [1], message: "the icmp match needs '-p icmp'" },
  options: [
    option<IcmpType>({
      name: 'icmp-type', args: 1, invert: true,
      parse: (a) => readIcmpType(a[0] ?? '', ICMP_TYPES, false),
      show: (v) => showIcmp(v, false),
    }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['icmp-type']); },
  toMatch(inst) {
    const t = get<IcmpType>(inst, 'icmp-type');
    return t ? toIcmpMatch(t.value, t.invert, false) : ANY;
  },
};

export const icmp6: MatchSpec = {
  kind: 'match',
  name: 'icmp6',
  aliases: ['icmpv6', 'ipv6-icmp'],
  family: 'ipv6',
  protocols: { numbers: [58], message: "the icmp6 match needs '-p icmpv6'" },
  options: [
    option<IcmpType>({
      name: 'icmpv6-type', args: 1, invert: true,
      parse: (a) => readIcmpType(a[0] ?? '', ICMPV6_TYPES, true),
      show: (v) => showIcmp(v, true),
    }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['icmpv6-type']); },
  toMatch(inst) {
    const t = get<IcmpType>(inst, 'icmpv6-type');
    return t ? toIcmpMatch(t.value, t.invert, true) : ANY;
  },
};
