/** Matches about the host and the socket: comment, addrtype, owner, physdev. */
import { type AddrType, type Match, ANY, and, negateIf, num, opaque } from '../../../model/match.js';
import { type ArgResult, type MatchSpec, bad, flag, get, has, ok, option, placed } from '../extension.js';
import { exclusive, requireSome, text, wordList } from '../ext-helpers.js';
import { quoteArg } from '../tokenize.js';
import { readUint } from '../values.js';

export const comment: MatchSpec = {
  kind: 'match',
  name: 'comment',
  options: [option<string>({ name: 'comment', args: 1, parse: text(255, 'the comment'), show: quoteArg })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['comment']); },
  toMatch: () => ANY,
};

const ADDR_TYPE_WORDS = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT',
  'THROW', 'NAT', 'XRESOLVE',
] as const;
type AddrTypeWord = (typeof ADDR_TYPE_WORDS)[number];
const readTypes = wordList(ADDR_TYPE_WORDS, 'address type');

export const addrtype: MatchSpec = {
  kind: 'match',
  name: 'addrtype',
  options: [
    option<AddrTypeWord[]>({ name: 'src-type', args: 1, invert: true, parse: readTypes, show: (v) => v.join(',') }),
    option<AddrTypeWord[]>({ name: 'dst-type', args: 1, invert: true, parse: readTypes, show: (v) => v.join(',') }),
    flag('limit-iface-in'),
    flag('limit-iface-out'),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['src-type', 'dst-type'], 'addrtype: expected --src-type or --dst-type');
    exclusive(inst, ctx, ['limit-iface-in', 'limit-iface-out']);
  },
  placement(inst) {
    if (has(inst, 'limit-iface-in')) return { hooks: ['prerouting', 'input', 'forward'] };
    if (has(inst, 'limit-iface-out')) return { hooks: ['output', 'forward', 'postrouting'] };
    return undefined;
  },
  toMatch(inst) {
    // --limit-iface-in/out restrict the lookup to the packet's interface; the address types the
    // simulator knows are host-wide, which is the same answer for local addresses.
    const parts: Match[] = [];
    for (const [name, field] of [['src-type', 'src'], ['dst-type', 'dst']] as const) {
      const v = get<AddrTypeWord[]>(inst, name);
      if (v) parts.push(negateIf(v.invert, { kind: 'addrtype', field, types: v.value.map((w) => w.toLowerCase() as AddrType) }));
    }
    return and(...parts);
  },
};

/** A uid/gid or a range `a-b` (also `a:b`); `root` is the only name known offline. */
interface IdRange {
  readonly range?: readonly [number, number];
  readonly name?: string;
}

function readIds(args: readonly string[]): ArgResult<IdRange> {
  const a = args[0] ?? '';
  if (a === 'root') return ok({ range: [0, 0] });
  const m = /^(\d+)(?:[-:](\d+))?$/.exec(a);
  if (m) {
    const lo = readUint(m[1] as string, 0, 0xffffffff);
    const hi = m[2] === undefined ? lo : readUint(m[2], 0, 0xffffffff);
    if (lo === undefined || hi === undefined || lo > hi) return bad(`expected an id or a range a-b in 0-4294967295, got '${a}'`);
    return ok({ range: [lo, hi] });
  }
  if (/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(a)) return ok({ name: a });
  return bad(`expected a user/group name, an id or a range a-b, got '${a}'`);
}

function showIds(v: IdRange): string {
  if (v.name !== undefined) return v.name;
  const [lo, hi] = v.range ?? [0, 0];
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

export const owner: MatchSpec = {
  kind: 'match',
  name: 'owner',
  options: [
    flag('socket-exists', true),
    option<IdRange>({ name: 'uid-owner', args: 1, invert: true, parse: readIds, show: showIds }),
    option<IdRange>({ name: 'gid-owner', args: 1, invert: true, parse: readIds, show: showIds }),
    flag('suppl-groups'),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['socket-exists', 'uid-owner', 'gid-owner']);
    const sg = inst.options.findIndex((o) => o.name === 'suppl-groups');
    const gid = inst.options.findIndex((o) => o.name === 'gid-owner');
    if (sg >= 0 && (gid < 0 || gid > sg)) {
      ctx.error('iptables/missing-option', 'owner: --suppl-groups needs --gid-owner before it', inst.options[sg]?.span);
    }
  },
  placement: placed({ hooks: ['output', 'postrouting'] }),
  toMatch(inst, ctx) {
    const parts: Match[] = [];
    if (has(inst, 'socket-exists')) parts.push(opaque('owner --socket-exists: whether a local socket sent the packet', ctx.text));
    for (const [name, field] of [['uid-owner', 'uid'], ['gid-owner', 'gid']] as const) {
      const v = get<IdRange>(inst, name);
      if (!v) continue;
      if (v.value.range === undefined) parts.push(opaque(`owner --${name} ${v.value.name ?? ''}: user and group names are not resolved offline`, ctx.text));
      else if (name === 'gid-owner' && has(inst, 'suppl-groups')) parts.push(opaque('owner --suppl-groups: supplementary groups are not known offline', ctx.text));
      else parts.push(negateIf(v.invert, num(field, v.value.range)));
    }
    return and(...parts);
  },
};

export const physdev: MatchSpec = {
  kind: 'match',
  name: 'physdev',
  options: [
    flag('physdev-is-in', true),
    option<string>({ name: 'physdev-in', args: 1, invert: true, parse: text(15, 'the interface name') }),
    flag('physdev-is-out', true),
    option<string>({ name: 'physdev-out', args: 1, invert: true, parse: text(15, 'the interface name') }),
    flag('physdev-is-bridged', true),
  ],
  check: (inst, ctx) => { if (inst.options.length === 0) ctx.error('iptables/missing-option', 'physdev: at least one option is required'); },
  placement(inst) {
    const out = has(inst, 'physdev-out') || has(inst, 'physdev-is-out');
    const bridged = get(inst, 'physdev-is-bridged');
    if (out && (!bridged || bridged.invert)) return { hooks: ['prerouting', 'input', 'forward', 'postrouting'] };
    return undefined;
  },
  toMatch: (_inst, ctx) => opaque('physdev: bridge ports are not modelled', ctx.text),
};
