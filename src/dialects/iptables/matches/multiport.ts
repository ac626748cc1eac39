/**
 * `-m multiport --sports|--dports|--ports a,b:c,…`: up to 15 port slots (a range takes two, and
 * cannot start in the last slot); a range must go upwards (`5:5` is refused); only with
 * `-p tcp|udp|udplite|sctp|dccp`, not inverted.
 */
import { fromIntervals } from '../../../model/interval-set.js';
import { NUM_FIELDS, negateIf, numSet, or } from '../../../model/match.js';
import { type ArgResult, type MatchSpec, bad, get, ok, option } from '../extension.js';
import { exclusive, requireSome } from '../ext-helpers.js';
import { type Range, readPort, showRange } from '../values.js';

const MAX_SLOTS = 15;

function readPortList(args: readonly string[]): ArgResult<Range[]> {
  const text = args[0] ?? '';
  const out: Range[] = [];
  let slots = 0;
  for (const part of text.split(',')) {
    const colon = part.indexOf(':');
    if (colon >= 0 && slots === MAX_SLOTS - 1) return bad(`too many ports: at most ${MAX_SLOTS} (a range counts as two)`);
    const a = colon < 0 ? part : part.slice(0, colon);
    const lo = readPort(a);
    if (lo === undefined) return bad(`invalid port or service '${a}': expected a number in 0-65535 or a service name`);
    if (colon < 0) {
      out.push([lo, lo]);
      slots++;
    } else {
      const b = part.slice(colon + 1);
      const hi = readPort(b);
      if (hi === undefined) return bad(`invalid port or service '${b}': expected a number in 0-65535 or a service name`);
      if (lo >= hi) return bad(`invalid port range '${part}': the start must be below the end`);
      out.push([lo, hi]);
      slots += 2;
    }
    if (slots > MAX_SLOTS) return bad(`too many ports: at most ${MAX_SLOTS} (a range counts as two)`);
  }
  return ok(out);
}

/** Each option and the packet fields it tests. */
const PORT_FIELDS = [['sports', ['sport']], ['dports', ['dport']], ['ports', ['sport', 'dport']]] as const;

const showList = (v: Range[]): string => v.map(showRange).join(',');

export const multiport: MatchSpec = {
  kind: 'match',
  name: 'multiport',
  protocols: { numbers: [6, 17, 136, 132, 33], message: 'multiport only works with -p tcp, udp, udplite, sctp or dccp' },
  options: [
    option<Range[]>({ name: 'sports', aliases: ['source-ports'], args: 1, invert: true, parse: readPortList, show: showList }),
    option<Range[]>({ name: 'dports', aliases: ['destination-ports'], args: 1, invert: true, parse: readPortList, show: showList }),
    option<Range[]>({ name: 'ports', args: 1, invert: true, parse: readPortList, show: showList }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['sports', 'dports', 'ports'], 'multiport: expected one of --sports, --dports or --ports')) {
      exclusive(inst, ctx, ['sports', 'dports', 'ports']);
    }
  },
  toMatch(inst) {
    for (const [name, fields] of PORT_FIELDS) {
      const v = get<Range[]>(inst, name);
      if (!v) continue;
      const set = fromIntervals(NUM_FIELDS.sport, v.value);
      return negateIf(v.invert, or(...fields.map((f) => numSet(f, set))));
    }
    return or();
  },
};
