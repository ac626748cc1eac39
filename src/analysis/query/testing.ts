/**
 * Test support (not part of the build): reading fffuu's outputs in ../shared/corpus/fffuu-golden/
 * — service matrix blocks, the echoed interface assignment, the unfolded chain — and comparing a
 * matrix with ours as sorted, readable strings.
 */
import { sourceFile } from '../../diagnostics/source.js';
import { parseIpv4 } from '../../model/address.js';
import type { Ruleset } from '../../model/ruleset.js';
import { type Ipassmt, parseIpassmt } from './ipassmt.js';
import { type ServiceMatrix, type ServiceMatrixOptions, serviceMatrix } from './service-matrix.js';

export interface GoldenMatrix {
  readonly nodes: readonly { readonly name: string; readonly ips: string }[];
  readonly edges: readonly (readonly [string, string])[];
}

/** `{a .. b} u c` → `lo-hi,lo-hi` (numbers). */
export function intervalsOf(ips: string): string {
  return ips.split(' u ').map((part) => {
    const m = /^\{(\S+) \.\. (\S+)\}$/.exec(part.trim());
    const [lo, hi] = m ? [m[1] as string, m[2] as string] : [part.trim(), part.trim()];
    return `${parseIpv4(lo)}-${parseIpv4(hi)}`;
  }).join(',');
}

/** fffuu's classes and edges vs ours, as comparable sorted strings. */
export function compareMatrix(golden: GoldenMatrix, m: ServiceMatrix): { expected: string[]; actual: string[] } {
  const ours = m.classes.map((c) => c.intervals.map(([lo, hi]) => `${lo}-${hi}`).join(','));
  const theirs = golden.nodes.map((n) => intervalsOf(n.ips));
  const nameOf = new Map(golden.nodes.map((n, i) => [n.name, theirs[i] as string]));
  return {
    expected: [...theirs.map((t) => `class ${t}`), ...golden.edges.map(([a, b]) => `edge ${nameOf.get(a) ?? a} -> ${nameOf.get(b) ?? b}`)].sort(),
    actual: [...ours.map((t) => `class ${t}`), ...m.edges.map(([a, b]) => `edge ${ours[a] ?? a} -> ${ours[b] ?? b}`)].sort(),
  };
}

export function matrixAgainst(golden: GoldenMatrix, rs: Ruleset, o: ServiceMatrixOptions): { expected: string[]; actual: string[] } {
  return compareMatrix(golden, serviceMatrix(rs, o));
}

/** `=========== TCP port 10000->P =========` blocks of a fffuu output file, by port. */
export function haskellMatrices(text: string): Map<number, GoldenMatrix> {
  const out = new Map<number, GoldenMatrix>();
  const blocks = text.split(/=========== TCP port 10000->(\d+) =========\n/);
  for (let i = 1; i < blocks.length; i += 2) {
    const nodes: { name: string; ips: string }[] = [];
    const edges: [string, string][] = [];
    for (const line of (blocks[i + 1] as string).split('\n')) {
      const n = /^(\w+) \|-> (.*)$/.exec(line);
      const e = /^\((\w+),(\w+)\)$/.exec(line);
      if (n) nodes.push({ name: n[1] as string, ips: n[2] as string });
      else if (e) edges.push([e[1] as string, e[2] as string]);
    }
    out.set(Number(blocks[i]), { nodes, edges });
  }
  return out;
}

function parsedOrThrow(text: string, name: string): Ipassmt {
  const r = parseIpassmt(sourceFile(name, text));
  if (r.diagnostics.length > 0) throw new Error(`${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.value;
}

/** fffuu's echo `IpAssmt [(eth0,Pos [1.2.3.4/8]),(eth1,Neg [...])]`, through our file format. */
export function ipassmtFromEcho(line: string): Ipassmt {
  const text = [...line.matchAll(/\(([^,()]+),(Pos|Neg) (\[[^\]]*\])\)/g)]
    .map((m) => `${m[1] as string} = ${m[2] === 'Neg' ? 'all_but_those_ips ' : ''}${m[3] as string}`).join('\n');
  return parsedOrThrow(text, 'echo');
}

/** An Isabelle definition `[(Iface ''lo'', [(ipv4addr_of_dotdecimal (127,0,0,0),8)]), …]`. */
export function ipassmtFromIsabelle(def: string): Ipassmt {
  const text = [...def.matchAll(/\(Iface ''([^']+)'', \[([^\]]*)\]\)/g)].map((m) => {
    const cidrs = [...(m[2] as string).matchAll(/\((\d+),(\d+),(\d+),(\d+)\),(\d+)\)/g)].map((c) => `${c.slice(1, 5).join('.')}/${c[5] as string}`);
    return `${m[1] as string} = [${cidrs.join(', ')}]`;
  }).join('\n');
  return parsedOrThrow(text, 'isabelle');
}

/**
 * fffuu's `== unfolded CHAIN chain (upper closure) ==` section as an iptables-save table with one
 * chain: `(-i eth0 -p tcp -m tcp --dpts [22] -d 1.2.3.4/32, -j ACCEPT)` → `-A CHAIN …`.
 */
export function unfoldedChainToSave(text: string, chain: string): string {
  const start = text.indexOf(`== unfolded ${chain} chain (upper closure) ==\n`);
  if (start < 0) throw new Error(`no unfolded ${chain} chain`);
  const body = text.slice(text.indexOf('\n', start) + 1, text.indexOf('\n==', start + 1));
  const lines = ['*filter', `:${chain} ACCEPT [0:0]`];
  for (const raw of body.split('\n')) {
    const m = /^\((.*), -j (\S+)\)$/.exec(raw.trim());
    if (!m) continue;
    const match = (m[1] as string)
      .replace(/--([ds])pts \[([^\]]*)\]/g, (_, d: string, ports: string) => (ports.includes(',') ? `-m multiport --${d}ports ${ports.replace(/\s/g, '')}` : `--${d}port ${ports}`))
      .replace(/--tcp-flags \[([^\]]*)\] \[([^\]]*)\]/g, (_, mask: string, comp: string) => `--tcp-flags ${mask.replace(/TCP_|\s/g, '')} ${comp.replace(/TCP_|\s/g, '') || 'NONE'}`);
    lines.push(`-A ${chain} ${match} -j ${m[2] as string}`.replace(/\s+/g, ' '));
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}
