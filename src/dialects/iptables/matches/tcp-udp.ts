/** `-m tcp` and `-m udp`: ports (ranges, open ranges), TCP flags, `--syn`, `--tcp-option`. */
import { andOf, negateIf, type Match } from '../../../model/match.js';
import { type ArgResult, type MatchSpec, bad, flag, get, ok, option } from '../extension.js';
import { bitsShared, negateShared, numRange } from '../shared.js';
import { type Range, portRange, readUint, showRange } from '../values.js';

/**
 * A port option as iptables-nft saves it: omitted when it covers every port (unless inverted),
 * and `! a:b` starting at 0 turned into the positive rest (`! --dport 0:1023` → `--dport 1024:65535`).
 */
function portOption(name: string, r: Range, invert: boolean): string | undefined {
  if (r[0] === 0 && r[1] === 65535 && !invert) return undefined;
  if (invert && r[0] === 0 && r[1] > 0 && r[1] < 65535) return `--${name} ${r[1] + 1}:65535`;
  return `${invert ? '! ' : ''}--${name} ${showRange(r)}`;
}

export const sport = option<Range>({ name: 'sport', aliases: ['source-port'], args: 1, invert: true, parse: portRange });
export const dport = option<Range>({ name: 'dport', aliases: ['destination-port'], args: 1, invert: true, parse: portRange });

function printPorts(inst: Parameters<MatchSpec['toMatch']>[0]): string[] {
  const parts: string[] = [];
  for (const name of ['sport', 'dport']) {
    const p = get<Range>(inst, name);
    const text = p && portOption(name, p.value, p.invert);
    if (text !== undefined) parts.push(text);
  }
  return parts;
}

const FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20], ['ALL', 0x3f], ['NONE', 0],
];

function readFlags(text: string): number | undefined {
  let v = 0;
  for (const part of text.split(',')) {
    const f = FLAG_NAMES.find(([n]) => n.toLowerCase() === part.toLowerCase());
    if (f === undefined) return undefined;
    v |= f[1];
  }
  return v;
}

export function showFlags(v: number): string {
  const names: string[] = [];
  for (const [n, bit] of FLAG_NAMES.slice(0, 6)) if (v & bit) names.push(n);
  return names.length === 0 ? 'NONE' : names.join(',');
}

export interface TcpFlags {
  readonly mask: number;
  readonly comp: number;
}

const FLAGS_CACHE = new Map<string, ArgResult<TcpFlags>>();

function parseFlags(args: readonly string[]): ArgResult<TcpFlags> {
  const key = `${args[0] ?? ''} ${args[1] ?? ''}`;
  let r = FLAGS_CACHE.get(key);
  if (r === undefined) {
    r = readTcpFlags(args);
    if (FLAGS_CACHE.size < 256) FLAGS_CACHE.set(key, r);
  }
  return r;
}

function readTcpFlags(args: readonly string[]): ArgResult<TcpFlags> {
  const mask = readFlags(args[0] ?? '');
  if (mask === undefined) return bad(`unknown TCP flag in '${args[0]}': expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE`, 0);
  const comp = readFlags(args[1] ?? '');
  if (comp === undefined) return bad(`unknown TCP flag in '${args[1]}': expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE`, 1);
  return ok({ mask, comp });
}

export const SYN_FLAGS: TcpFlags = { mask: 0x17, comp: 0x02 };

const PORT_OPTIONS = ['sport', 'dport'] as const;

function portMatches(inst: Parameters<MatchSpec['toMatch']>[0]): Match[] {
  const out: Match[] = [];
  for (const name of PORT_OPTIONS) {
    const p = get<Range>(inst, name);
    // Every port, not inverted, tests nothing (and iptables-save leaves it out).
    if (p && !(p.value[0] === 0 && p.value[1] === 65535 && !p.invert)) out.push(negateShared(p.invert, numRange(name, p.value[0], p.value[1])));
  }
  return out;
}

export const tcp: MatchSpec = {
  kind: 'match',
  name: 'tcp',
  protocols: { numbers: [6], invertOk: true, message: "the tcp match needs '-p tcp'" },
  options: [
    sport, dport,
    option<number>({
      name: 'tcp-option', args: 1, invert: true,
      parse: (a) => { const n = readUint(a[0] ?? '', 1, 255); return n === undefined ? bad(`expected a TCP option number in 1-255, got '${a[0]}'`) : ok(n); },
      show: (n) => String(n),
    }),
    option<TcpFlags>({ name: 'tcp-flags', args: 2, invert: true, parse: parseFlags, show: (f) => `${showFlags(f.mask)} ${showFlags(f.comp)}` }),
    flag('syn', true),
  ],
  check(inst, ctx) {
    const syn = get(inst, 'syn');
    if (syn && get(inst, 'tcp-flags')) ctx.error('iptables/conflicting-options', "tcp: only one of --syn and --tcp-flags may be given", syn.span);
  },
  print(inst) {
    // --syn is saved as the flags it stands for.
    const parts = printPorts(inst);
    const o = get<number>(inst, 'tcp-option');
    if (o) parts.push(`${o.invert ? '! ' : ''}--tcp-option ${o.value}`);
    const syn = get(inst, 'syn');
    const f = syn ? { invert: syn.invert, value: SYN_FLAGS } : get<TcpFlags>(inst, 'tcp-flags');
    if (f) parts.push(`${f.invert ? '! ' : ''}--tcp-flags ${showFlags(f.value.mask)} ${showFlags(f.value.comp)}`);
    return parts.join(' ');
  },
  toMatch(inst) {
    const out = portMatches(inst);
    const o = get<number>(inst, 'tcp-option');
    if (o) out.push(negateIf(o.invert, { kind: 'tcpOption', option: o.value }));
    const syn = get(inst, 'syn');
    const f = syn ? { invert: syn.invert, value: SYN_FLAGS } : get<TcpFlags>(inst, 'tcp-flags');
    if (f) out.push(negateShared(f.invert, bitsShared('tcpFlags', f.value.mask, f.value.comp)));
    return andOf(out);
  },
};

export const udp: MatchSpec = {
  kind: 'match',
  name: 'udp',
  protocols: { numbers: [17], invertOk: true, message: "the udp match needs '-p udp'" },
  options: [sport, dport],
  print: (inst) => printPorts(inst).join(' '),
  toMatch: (inst) => andOf(portMatches(inst)),
};


