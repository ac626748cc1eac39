/**
 * `-m set --match-set NAME src[,dst…]`: ipset membership. The members are known when the caller
 * gave an `ipset save` file (ConvertContext.ipsets); otherwise the match stays unresolved, which
 * analyses treat like an opaque predicate.
 */
import { type AddrField, type Match, and, negateIf, opaque } from '../../../model/match.js';
import { type ArgResult, type MatchSpec, type OptionSpec, bad, flag, get, ok, option } from '../extension.js';
import { requireSome } from '../ext-helpers.js';
import { readU64 } from '../values.js';

export interface SetRef {
  readonly name: string;
  readonly flags: readonly ('src' | 'dst')[];
}

export function readSetRef(args: readonly string[]): ArgResult<SetRef> {
  const name = args[0] ?? '';
  if (name.length === 0 || name.length > 31) return bad(`expected a set name of 1-31 characters, got '${name}'`, 0);
  const flags: ('src' | 'dst')[] = [];
  for (const f of (args[1] ?? '').split(',')) {
    if (f !== 'src' && f !== 'dst') return bad(`expected src or dst flags separated by commas, got '${args[1]}'`, 1);
    flags.push(f);
  }
  if (flags.length > 6) return bad('at most 6 src/dst flags', 1);
  return ok({ name, flags });
}

export const showSetRef = (r: SetRef): string => `${r.name} ${r.flags.join(',')}`;

const counter = (name: string): OptionSpec =>
  option<bigint>({
    name, args: 1, invert: true,
    parse: (a) => { const v = readU64(a[0] ?? ''); return v === undefined ? bad(`expected a counter value, got '${a[0]}'`) : ok(v); },
    show: String,
  });

export const set: MatchSpec = {
  kind: 'match',
  name: 'set',
  options: [
    option<SetRef>({ name: 'match-set', aliases: ['set'], args: 2, invert: true, parse: readSetRef, show: showSetRef }),
    flag('return-nomatch'),
    flag('update-counters', true),
    flag('update-subcounters', true),
    counter('packets-eq'), counter('packets-lt'), counter('packets-gt'),
    counter('bytes-eq'), counter('bytes-lt'), counter('bytes-gt'),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['match-set']); },
  print(inst) {
    const parts: string[] = [];
    for (const o of inst.options) {
      const inv = o.invert ? '! ' : '';
      if (o.name === 'match-set') parts.unshift(`${inv}--match-set ${showSetRef(o.value as SetRef)}`);
      else if (o.args.length === 0) parts.push(`${inv}--${o.name}`);
      else parts.push(`${inv}--${o.name} ${String(o.value)}`);
    }
    return parts.join(' ');
  },
  toMatch(inst, ctx) {
    const r = get<SetRef>(inst, 'match-set');
    if (!r) return opaque('set match without --match-set', ctx.text);
    const fields: AddrField[] = r.value.flags.map((f) => f);
    const members = ctx.ipsets?.get(r.value.name);
    const parts: Match[] = [];
    // Address-only sets have one dimension: only the first flag is looked up.
    const m: Match = members === undefined
      ? { kind: 'ipset', name: r.value.name, fields }
      : { kind: 'ipset', name: r.value.name, fields: fields.slice(0, 1), members };
    parts.push(negateIf(r.invert, m));
    const counters = inst.options.filter((o) => /^(packets|bytes)-/.test(o.name));
    if (counters.length > 0) parts.push(opaque('set match counters depend on traffic history', ctx.text));
    return and(...parts);
  },
};
