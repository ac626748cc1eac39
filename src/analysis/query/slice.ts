/**
 * A slice of the header space from a short text: `tcp dport 22`, `udp from 10.0.0.0/8 dport
 * 53`, `icmp type 8`, `ipv6 tcp to fd00::1 dport 443 in eth0 state established`. Words: a protocol
 * name or `proto N`, `ipv4` / `ipv6`, `from` / `to` CIDR, `sport` / `dport` N or N-M, `type` /
 * `code` N, `in` / `out` IFACE, `state` S[,S], `flags` letters. Errors are returned, not thrown.
 */
import { parseCidr, prefixInterval } from '../../model/address.js';
import { TCP_FLAGS } from '../../model/packet.js';
import { parseProtocol } from '../../model/protocol.js';
import { TRUE } from '../space/bdd.js';
import { STATES } from '../space/layout.js';
import type { Space } from '../space/space.js';

export interface Slice {
  readonly set: number;
  readonly errors: readonly string[];
  /** Fields the text constrains (kept in the rows of a query answer). */
  readonly fields: ReadonlySet<string>;
}

function range(text: string, max: number): [number, number] | undefined {
  const m = /^(\d+)(?:[-:](\d+))?$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= max ? [lo, hi] : undefined;
}

export function parseSlice(sp: Space, text: string): Slice {
  const { bdd, enc } = sp;
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  const errors: string[] = [];
  const fields = new Set<string>();
  let set = TRUE;
  const add = (s: number): void => {
    set = bdd.and(set, s);
  };
  for (let i = 0; i < words.length; i++) {
    const w = (words[i] as string).toLowerCase();
    const arg = words[i + 1];
    const need = (what: string): string | undefined => {
      if (arg === undefined) errors.push(`'${w}' needs ${what}`);
      else i++;
      return arg;
    };
    if (w === 'ipv4' || w === 'ipv6') {
      add(sp.family(w));
      continue;
    }
    const proto = w === 'proto' ? undefined : parseProtocol(w);
    if (proto !== undefined && !/^\d+$/.test(w)) {
      add(enc.eq('protocol', proto));
      fields.add('protocol');
      continue;
    }
    switch (w) {
      case 'proto': {
        const v = need('a protocol');
        const p = v === undefined ? undefined : parseProtocol(v);
        if (p === undefined) errors.push(`proto: expected a protocol name or number, got '${v ?? ''}'`);
        else add(enc.eq('protocol', p));
        fields.add('protocol');
        break;
      }
      case 'from': case 'to': case 'src': case 'dst': {
        const v = need('an address or CIDR');
        const c = v === undefined ? undefined : parseCidr(v);
        if (c === undefined) {
          errors.push(`${w}: expected an address or CIDR, got '${v ?? ''}'`);
          break;
        }
        const [lo, hi] = prefixInterval(c.family, c.value, c.length);
        const base = w === 'from' || w === 'src' ? 'src' : 'dst';
        add(bdd.and(sp.family(c.family), enc.range(`${base}${c.family === 'ipv4' ? '4' : '6'}` as 'src4', lo, hi)));
        fields.add(base);
        break;
      }
      case 'sport': case 'dport': {
        const v = need('a port or range');
        const r = v === undefined ? undefined : range(v, 65535);
        if (r === undefined) errors.push(`${w}: expected a port or N-M in 0-65535, got '${v ?? ''}'`);
        else add(bdd.and(sp.ported, enc.range(w, r[0], r[1])));
        fields.add(w);
        break;
      }
      case 'type': case 'code': {
        const v = need('a number or range');
        const r = v === undefined ? undefined : range(v, 255);
        const f = w === 'type' ? 'icmpType' : 'icmpCode';
        if (r === undefined) errors.push(`${w}: expected 0-255, got '${v ?? ''}'`);
        else add(bdd.and(sp.icmpish, enc.range(f, r[0], r[1])));
        fields.add(f);
        break;
      }
      case 'in': case 'out': {
        const v = need('an interface name');
        if (v !== undefined) add(enc.eq(w === 'in' ? 'iif' : 'oif', (w === 'in' ? sp.layout.iif : sp.layout.oif).classOf(v)));
        fields.add(w === 'in' ? 'iif' : 'oif');
        break;
      }
      case 'state': {
        const v = need('a conntrack state');
        const codes = (v ?? '').toLowerCase().split(',').map((s) => STATES.indexOf(s as (typeof STATES)[number]));
        if (codes.some((c) => c < 0)) errors.push(`state: expected ${STATES.join(', ')}, got '${v ?? ''}'`);
        else add(enc.oneOf('ctstate', codes));
        fields.add('ctstate');
        break;
      }
      case 'flags': {
        const v = need('TCP flag letters');
        let f = 0;
        for (const ch of (v ?? '').toUpperCase()) {
          const bit = (TCP_FLAGS as Record<string, number>)[ch];
          if (bit === undefined) errors.push(`flags: unknown flag letter '${ch}' (expected letters of FSRPAUEC)`);
          else f |= bit;
        }
        add(bdd.and(sp.tcp, enc.eq('tcpFlags', f)));
        fields.add('tcpFlags');
        break;
      }
      default:
        errors.push(`unknown word '${words[i] ?? ''}' (expected a protocol, ipv4/ipv6, from, to, sport, dport, type, code, in, out, state, flags)`);
    }
  }
  return { set: bdd.and(set, sp.valid), errors, fields };
}
