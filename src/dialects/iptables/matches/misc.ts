/**
 * Other match modules kept opaque: payload inspection (string, u32, bpf), time of day, conntrack
 * helpers and labels, routing realms, cgroups, clusters, IPsec policy, IPVS, reverse-path filter,
 * sockets, OS fingerprints.
 */
import { type ArgResult, type MatchSpec, type OptionSpec, bad, flag, get, has, ok, option, placed } from '../extension.js';
import { exclusive, oneOf, opaqueMatchSpec, requireSome, text } from '../ext-helpers.js';
import { formatAddressSpec } from '../print-rule.js';
import { parseIptProtocol } from '../protocols.js';
import type { AddressSpec } from '../syntax.js';
import { alwaysQuote, quoteArg } from '../tokenize.js';
import { type ValueMask, hex, readCidr, readPort, readUint, readValueMask, uint } from '../values.js';

/** `abc|0d 0a|def`: text with hex bytes between pipes → bytes. */
function readHexString(s: string): ArgResult<number[]> {
  const out: number[] = [];
  let inHex = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '|') { inHex = !inHex; continue; }
    if (!inHex) { out.push(c.charCodeAt(0) & 0xff); continue; }
    if (c === ' ') continue;
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return bad(`invalid hex byte '${pair}' in '${s}'`);
    out.push(parseInt(pair, 16));
    i++;
  }
  if (inHex) return bad(`unterminated '|' in '${s}'`);
  return ok(out);
}

const MAX_PATTERN = 128;

function showPattern(bytes: readonly number[]): { name: string; text: string } {
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  if (printable) return { name: 'string', text: `"${String.fromCharCode(...bytes).replace(/["\\]/g, (c) => `\\${c}`)}"` };
  return { name: 'hex-string', text: `"|${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}|"` };
}

export const string: MatchSpec = opaqueMatchSpec({
  name: 'string',
  reason: 'payload string match: packet contents are not modelled',
  options: [
    option<number[]>({ name: 'string', args: 1, invert: true, parse: (a) => ok([...(a[0] ?? '')].map((c) => c.charCodeAt(0) & 0xff)) }),
    option<number[]>({ name: 'hex-string', args: 1, invert: true, parse: (a) => readHexString(a[0] ?? '') }),
    option<string>({ name: 'algo', args: 1, parse: oneOf(['bm', 'kmp'], 'an algorithm', true) }),
    option<number>({ name: 'from', args: 1, parse: uint(0, 65535, 'an offset') }),
    option<number>({ name: 'to', args: 1, parse: uint(0, 65535, 'an offset') }),
    flag('icase'),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['algo']);
    if (requireSome(inst, ctx, ['string', 'hex-string'])) exclusive(inst, ctx, ['string', 'hex-string']);
    const p = get<number[]>(inst, 'string') ?? get<number[]>(inst, 'hex-string');
    if (p && p.value.length > MAX_PATTERN) ctx.error('iptables/invalid-value', `string: the pattern is too long: at most ${MAX_PATTERN} bytes, got ${p.value.length}`, p.span);
    if (p && p.value.length === 0) ctx.error('iptables/invalid-value', 'string: the pattern is empty', p.span);
  },
  print(inst) {
    const p = get<number[]>(inst, 'string') ?? get<number[]>(inst, 'hex-string');
    const parts: string[] = [];
    if (p) {
      const shown = showPattern(p.value);
      parts.push(`${p.invert ? '! ' : ''}--${shown.name} ${shown.text}`);
    }
    parts.push(`--algo ${get<string>(inst, 'algo')?.value ?? 'bm'}`);
    const from = get<number>(inst, 'from');
    if (from && from.value !== 0) parts.push(`--from ${from.value}`);
    const to = get<number>(inst, 'to');
    if (to && to.value !== 65535) parts.push(`--to ${to.value}`);
    if (has(inst, 'icase')) parts.push('--icase');
    return parts.join(' ');
  },
});

/** u32 tests with every number in hex and no blanks, as iptables-save prints them. */
function canonicalU32(s: string): ArgResult<string> {
  const compact = s.replace(/\s+/g, '');
  if (!/^[0-9a-fA-Fx&<>@=:,]+$/.test(compact)) return bad(`invalid u32 expression '${s}'`);
  let ok2 = true;
  const out = compact.replace(/0x[0-9a-fA-F]+|\d+/g, (n) => {
    const v = n.startsWith('0x') ? parseInt(n, 16) : Number(n);
    if (!(v <= 0xffffffff)) ok2 = false;
    return `0x${v.toString(16)}`;
  }).replace(/(0x[0-9a-f]+):(0x[0-9a-f]+)/g, (m, a: string, b: string) => (a === b ? a : m));
  return ok2 ? ok(out) : bad(`number out of range in u32 expression '${s}'`);
}

export const u32: MatchSpec = opaqueMatchSpec({
  name: 'u32',
  reason: 'u32 match: raw packet bytes are not modelled',
  options: [option<string>({ name: 'u32', args: 1, invert: true, parse: (a) => canonicalU32(a[0] ?? ''), show: alwaysQuote })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['u32']); },
});

export const bpf: MatchSpec = opaqueMatchSpec({
  name: 'bpf',
  reason: 'BPF program: its verdict is not known offline',
  options: [
    option<string>({ name: 'bytecode', args: 1, show: alwaysQuote }),
    option<string>({ name: 'object-pinned', args: 1, show: quoteArg }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['bytecode', 'object-pinned'])) exclusive(inst, ctx, ['bytecode', 'object-pinned']);
  },
});

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function readTime(a: readonly string[]): ArgResult<string> {
  const m = /^(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$/.exec(a[0] ?? '');
  if (!m || Number(m[1]) > 23 || Number(m[2] ?? 0) > 59 || Number(m[3] ?? 0) > 59) return bad(`expected a time hh:mm[:ss], got '${a[0]}'`);
  const p = (x: string | undefined): string => String(Number(x ?? 0)).padStart(2, '0');
  return ok(`${p(m[1])}:${p(m[2])}:${p(m[3])}`);
}

function readDate(a: readonly string[]): ArgResult<string> {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?)?)?$/.exec(a[0] ?? '');
  if (!m) return bad(`expected a date YYYY[-MM[-DD[Thh[:mm[:ss]]]]], got '${a[0]}'`);
  const p = (x: string | undefined, d: number): string => String(x === undefined ? d : Number(x)).padStart(2, '0');
  return ok(`${m[1]}-${p(m[2], 1)}-${p(m[3], 1)}T${p(m[4], 0)}:${p(m[5], 0)}:${p(m[6], 0)}`);
}

function readDays(words: readonly string[], max: number, what: string) {
  return (a: readonly string[]): ArgResult<number[]> => {
    const out = new Set<number>();
    for (const p of (a[0] ?? '').split(',')) {
      const byName = words.findIndex((w) => w.toLowerCase() === p.toLowerCase());
      const n = byName >= 0 ? byName + 1 : readUint(p, 1, max);
      if (n === undefined) return bad(`unknown ${what} '${p}'`);
      out.add(n);
    }
    return ok([...out].sort((x, y) => x - y));
  };
}

export const time: MatchSpec = opaqueMatchSpec({
  name: 'time',
  reason: 'time of day / date: depends on when the packet arrives',
  options: [
    option<string>({ name: 'timestart', args: 1, parse: readTime }),
    option<string>({ name: 'timestop', args: 1, parse: readTime }),
    option<number[]>({ name: 'monthdays', args: 1, invert: true, parse: readDays([], 31, 'day of the month') }),
    option<number[]>({ name: 'weekdays', args: 1, invert: true, parse: readDays(WEEKDAYS, 7, 'weekday') }),
    option<string>({ name: 'datestart', args: 1, parse: readDate }),
    option<string>({ name: 'datestop', args: 1, parse: readDate }),
    flag('kerneltz'), flag('localtz'), flag('utc'), flag('contiguous'),
  ],
  check(inst, ctx) {
    exclusive(inst, ctx, ['kerneltz', 'utc']);
    if (has(inst, 'contiguous')) {
      const a = get<string>(inst, 'timestart')?.value ?? '00:00:00';
      const b = get<string>(inst, 'timestop')?.value ?? '23:59:59';
      if (!(b < a)) ctx.error('iptables/invalid-value', 'time: --contiguous only makes sense when --timestop is earlier than --timestart');
    }
  },
  print(inst) {
    const parts: string[] = [];
    const start = get<string>(inst, 'timestart');
    const stop = get<string>(inst, 'timestop');
    if (start || stop) parts.push(`--timestart ${start?.value ?? '00:00:00'} --timestop ${stop?.value ?? '23:59:59'}`);
    const days = (name: string, max: number, words?: readonly string[]): void => {
      const d = get<number[]>(inst, name);
      if (!d) return;
      const set = d.invert ? Array.from({ length: max }, (_, i) => i + 1).filter((n) => !d.value.includes(n)) : d.value;
      if (set.length === max) return;
      parts.push(`--${name} ${set.map((n) => (words ? words[n - 1] : String(n))).join(',')}`);
    };
    days('monthdays', 31);
    days('weekdays', 7, WEEKDAYS);
    const ds = get<string>(inst, 'datestart');
    if (ds && ds.value !== '1970-01-01T00:00:00') parts.push(`--datestart ${ds.value}`);
    parts.push(`--datestop ${get<string>(inst, 'datestop')?.value ?? '2038-01-19T03:14:07'}`);
    if (has(inst, 'kerneltz') || has(inst, 'localtz')) parts.push('--kerneltz');
    if (has(inst, 'contiguous')) parts.push('--contiguous');
    return parts.join(' ');
  },
});

export const helper: MatchSpec = opaqueMatchSpec({
  name: 'helper',
  reason: 'conntrack helper of the connection is not known offline',
  options: [option<string>({ name: 'helper', args: 1, invert: true, parse: text(29, 'the helper name'), show: quoteArg })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['helper']); },
});

const showMask = (v: ValueMask): string => (v.mask === 0xffffffff ? hex(v.value) : `${hex(v.value)}/${hex(v.mask)}`);

export const realm: MatchSpec = opaqueMatchSpec({
  name: 'realm',
  family: 'ipv4',
  reason: 'routing realms are not modelled',
  options: [option<ValueMask>({ name: 'realm', args: 1, invert: true, parse: (a) => readValueMask(a[0] ?? ''), show: showMask })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['realm']); },
});

export const devgroup: MatchSpec = opaqueMatchSpec({
  name: 'devgroup',
  reason: 'interface groups are not modelled',
  options: [
    option<ValueMask>({ name: 'src-group', args: 1, invert: true, parse: (a) => readValueMask(a[0] ?? ''), show: showMask }),
    option<ValueMask>({ name: 'dst-group', args: 1, invert: true, parse: (a) => readValueMask(a[0] ?? ''), show: showMask }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['src-group', 'dst-group']); },
});

export const cpu: MatchSpec = opaqueMatchSpec({
  name: 'cpu',
  reason: 'the CPU handling the packet is not known offline',
  options: [option<number>({ name: 'cpu', args: 1, invert: true, parse: uint(0, 0xffffffff, 'a CPU number'), show: String })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['cpu']); },
});

export const cgroup: MatchSpec = opaqueMatchSpec({
  name: 'cgroup',
  reason: 'the sending cgroup is not known offline',
  options: [
    option<string>({ name: 'path', args: 1, invert: true, show: quoteArg }),
    option<number>({ name: 'cgroup', args: 1, invert: true, parse: uint(0, 0xffffffff, 'a class id'), show: String }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['path', 'cgroup'])) exclusive(inst, ctx, ['path', 'cgroup']);
  },
  placement: placed({ hooks: ['input', 'output', 'postrouting'] }),
});

export const cluster: MatchSpec = opaqueMatchSpec({
  name: 'cluster',
  reason: 'cluster node hashing is not modelled',
  options: [
    option<number>({ name: 'cluster-total-nodes', args: 1, parse: uint(1, 32, 'a node count') }),
    option<number>({ name: 'cluster-local-node', args: 1, invert: true, parse: uint(1, 32, 'a node number') }),
    option<number>({ name: 'cluster-local-nodemask', args: 1, invert: true, parse: uint(1, 0xffffffff, 'a node mask') }),
    option<number>({ name: 'cluster-hash-seed', args: 1, parse: uint(0, 0xffffffff, 'a seed') }),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['cluster-total-nodes']);
    if (requireSome(inst, ctx, ['cluster-local-node', 'cluster-local-nodemask'])) exclusive(inst, ctx, ['cluster-local-node', 'cluster-local-nodemask']);
    requireSome(inst, ctx, ['cluster-hash-seed']);
    const total = get<number>(inst, 'cluster-total-nodes')?.value ?? 32;
    const node = get<number>(inst, 'cluster-local-node');
    if (node && node.value > total) ctx.error('iptables/invalid-value', `cluster: node ${node.value} is above the total of ${total} nodes`, node.span);
  },
  print(inst) {
    const node = get<number>(inst, 'cluster-local-node');
    const mask = node ? { invert: node.invert, value: 2 ** (node.value - 1) } : get<number>(inst, 'cluster-local-nodemask');
    const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
    return [
      mask ? `${mask.invert ? '! ' : ''}--cluster-local-nodemask ${hex8(mask.value)}` : '',
      `--cluster-total-nodes ${get<number>(inst, 'cluster-total-nodes')?.value ?? 0}`,
      `--cluster-hash-seed ${hex8(get<number>(inst, 'cluster-hash-seed')?.value ?? 0)}`,
    ].filter((x) => x !== '').join(' ');
  },
});

export const connlabel: MatchSpec = opaqueMatchSpec({
  name: 'connlabel',
  reason: 'conntrack labels are not known offline',
  options: [
    option<number>({
      name: 'label', args: 1, invert: true,
      parse: (a) => { const n = readUint(a[0] ?? '', 0, 127); return n === undefined ? bad(`expected a label number in 0-127 (names need /etc/xtables/connlabel.conf), got '${a[0]}'`) : ok(n); },
      show: (n) => alwaysQuote(String(n)),
    }),
    flag('set'),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['label']); },
});

function policyOptions(): OptionSpec[] {
  const addr = (name: string): OptionSpec => option<AddressSpec>({
    name, args: 1, multi: true, invert: true,
    parse: (a, ctx) => { const r = readCidr(a[0] ?? '', ctx.family); return r.ok ? ok({ family: ctx.family, ...r.value }) : r; },
    show: (v) => formatAddressSpec(v),
  });
  return [
    option<string>({ name: 'dir', args: 1, parse: oneOf(['in', 'out'], 'a direction', true) }),
    option<string>({ name: 'pol', args: 1, parse: oneOf(['none', 'ipsec'], 'a policy', true) }),
    flag('strict'),
    option<number>({ name: 'reqid', args: 1, multi: true, invert: true, parse: uint(0, 0xffffffff), show: String }),
    option<number>({ name: 'spi', args: 1, multi: true, invert: true, parse: uint(0, 0xffffffff), show: hex }),
    option<string>({ name: 'proto', args: 1, multi: true, invert: true, parse: oneOf(['ah', 'esp', 'ipcomp'], 'an IPsec protocol', true) }),
    option<string>({ name: 'mode', args: 1, multi: true, invert: true, parse: oneOf(['transport', 'tunnel'], 'a mode', true) }),
    addr('tunnel-src'), addr('tunnel-dst'),
    { name: 'next', args: 0, multi: true },
  ];
}

export const policy: MatchSpec = opaqueMatchSpec({
  name: 'policy',
  reason: 'IPsec policy is not modelled',
  options: policyOptions(),
  check(inst, ctx) {
    requireSome(inst, ctx, ['dir']);
    requireSome(inst, ctx, ['pol']);
    // Each element (between --next) needs tunnel mode for tunnel addresses.
    let tunnel = false;
    let addrSeen: import('../syntax.js').ExtOption | undefined;
    const flush = (): void => {
      if (addrSeen && !tunnel) ctx.error('iptables/conflicting-options', 'policy: --tunnel-src and --tunnel-dst need --mode tunnel', addrSeen.span);
      tunnel = false;
      addrSeen = undefined;
    };
    for (const o of inst.options) {
      if (o.name === 'next') flush();
      if (o.name === 'mode' && o.value === 'tunnel') tunnel = true;
      if (o.name === 'tunnel-src' || o.name === 'tunnel-dst') addrSeen = o;
    }
    flush();
  },
  print: (inst) => inst.options.map((o) => {
    const spec = policyOptions().find((p) => p.name === o.name);
    const arg = o.args.length === 0 ? '' : ` ${spec?.show ? spec.show(o.value, o) : o.args.map(quoteArg).join(' ')}`;
    return `${o.invert ? '! ' : ''}--${o.name}${arg}`;
  }).join(' '),
});

function showVaddr(v: AddressSpec): string {
  const s = formatAddressSpec(v);
  return v.prefix === (v.family === 'ipv4' ? 32 : 128) ? s.replace(/\/\d+$/, '') : s;
}

export const ipvs: MatchSpec = opaqueMatchSpec({
  name: 'ipvs',
  reason: 'IPVS state is not modelled',
  options: [
    flag('ipvs', true),
    option<number>({ name: 'vproto', args: 1, invert: true, parse: (a) => { const n = parseIptProtocol(a[0] ?? ''); return n === undefined ? bad(`unknown protocol '${a[0]}'`) : ok(n); }, show: String }),
    option<AddressSpec>({ name: 'vaddr', args: 1, invert: true, parse: (a, ctx) => { const r = readCidr(a[0] ?? '', ctx.family); return r.ok ? ok({ family: ctx.family, ...r.value }) : r; }, show: showVaddr }),
    option<number>({ name: 'vport', args: 1, invert: true, parse: (a) => { const p = readPort(a[0] ?? ''); return p === undefined ? bad(`invalid port '${a[0]}'`) : ok(p); }, show: String }),
    option<string>({ name: 'vdir', args: 1, parse: oneOf(['ORIGINAL', 'REPLY'], 'a direction') }),
    option<string>({ name: 'vmethod', args: 1, invert: true, parse: oneOf(['GATE', 'IPIP', 'MASQ'], 'a method') }),
    option<number>({ name: 'vportctl', args: 1, invert: true, parse: uint(0, 65535, 'a port'), show: String }),
  ],
  check: (inst, ctx) => { if (inst.options.length === 0) ctx.error('iptables/missing-option', 'ipvs: at least one option is required'); },
});

export const rpfilter: MatchSpec = opaqueMatchSpec({
  name: 'rpfilter',
  reason: 'reverse-path filtering depends on the routing table',
  options: [flag('loose'), flag('validmark'), flag('accept-local'), flag('invert')],
  placement: placed({ tables: ['raw', 'mangle'], hooks: ['prerouting'] }),
});

export const socket: MatchSpec = opaqueMatchSpec({
  name: 'socket',
  reason: 'whether a local socket matches the packet is not known offline',
  options: [flag('transparent'), flag('nowildcard'), flag('restore-skmark')],
  placement: placed({ hooks: ['prerouting', 'input'] }),
});

export const osf: MatchSpec = opaqueMatchSpec({
  name: 'osf',
  family: 'ipv4',
  reason: 'passive OS fingerprinting is not modelled',
  protocols: { numbers: [6], message: "the osf match needs '-p tcp'" },
  options: [
    option<string>({ name: 'genre', args: 1, invert: true, show: quoteArg }),
    option<number>({ name: 'ttl', args: 1, parse: uint(0, 2, 'a TTL check level'), show: String }),
    option<number>({ name: 'log', args: 1, parse: uint(0, 2, 'a log level'), show: String }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['genre']); },
  placement: placed({ hooks: ['prerouting', 'input', 'forward'] }),
});


