/**
 * One rule as iptables-save (iptables 1.8.9, nf_tables) prints it: `-s -d -i -o -p -f`, then each
 * match `-m name …` in load order with its options in the module's canonical form, then the target.
 */
import { formatIpv4, formatIpv6 } from '../../model/address.js';
import { findMatch, findTarget } from './catalog.js';
import type { ExtensionSpec } from './extension.js';
import { iptProtocolName } from './protocols.js';
import type { AddressSpec, ExtInstance, InterfaceOption, IpFamily, RuleSyntax } from './syntax.js';
import { quoteArg } from './tokenize.js';

/** A rule with one source and one destination picked from its address lists. */
export interface RuleInstance {
  readonly rule: RuleSyntax;
  readonly source?: AddressSpec | undefined;
  readonly destination?: AddressSpec | undefined;
}

export function formatAddressSpec(a: AddressSpec): string {
  const addr = a.family === 'ipv4' ? formatIpv4(a.value) : formatIpv6(a.value);
  if (a.prefix !== undefined) return `${addr}/${a.prefix}`;
  return `${addr}/${a.family === 'ipv4' ? formatIpv4(a.mask) : formatIpv6(a.mask)}`;
}

function iface(flag: string, o: InterfaceOption | undefined): string | undefined {
  if (o === undefined) return undefined;
  if (o.name === '+' && !o.invert) return undefined; // matches every interface
  return `${o.invert ? '! ' : ''}${flag} ${o.name}`;
}

/** The default printing of an extension: its options in declaration order. */
export function printOptions(spec: ExtensionSpec, inst: ExtInstance): string {
  const parts: string[] = [];
  for (const o of spec.options) {
    for (const got of inst.options) {
      if (got.name !== o.name) continue;
      let arg: string | undefined = '';
      if (o.args !== 0 && (o.args !== 'optional' || got.args.length > 0)) {
        arg = o.show ? o.show(got.value, got) : got.args.join(' ');
        if (arg === undefined) continue;
      }
      parts.push(`${got.invert ? '! ' : ''}--${o.name}${arg === '' ? '' : ` ${arg}`}`);
      if (o.multi !== true) break;
    }
  }
  return parts.join(' ');
}

export function printExtension(spec: ExtensionSpec | undefined, inst: ExtInstance, family: IpFamily): string {
  if (spec === undefined) return inst.options.map((o) => `${o.invert ? '! ' : ''}--${o.given}${o.args.map((a) => ` ${quoteArg(a)}`).join('')}`).join(' ');
  return spec.print ? spec.print(inst, family) : printOptions(spec, inst);
}

/** The rule's text after `-A CHAIN`. */
export function printRuleBody(r: RuleInstance, family: IpFamily): string {
  const { rule } = r;
  const parts: string[] = [];
  if (r.source && rule.source) parts.push(`${rule.source.invert ? '! ' : ''}-s ${formatAddressSpec(r.source)}`);
  if (r.destination && rule.destination) parts.push(`${rule.destination.invert ? '! ' : ''}-d ${formatAddressSpec(r.destination)}`);
  const i = iface('-i', rule.inInterface);
  if (i) parts.push(i);
  const o = iface('-o', rule.outInterface);
  if (o) parts.push(o);
  if (rule.protocol && rule.protocol.number !== 0) parts.push(`${rule.protocol.invert ? '! ' : ''}-p ${iptProtocolName(rule.protocol.number)}`);
  if (rule.fragment) parts.push(`${rule.fragment.invert ? '! ' : ''}-f`);
  for (const m of rule.matches) {
    const body = printExtension(findMatch(m.name, family), m, family);
    parts.push(body === '' ? `-m ${m.name}` : `-m ${m.name} ${body}`);
  }
  const t = rule.target;
  if (t) {
    if (t.type === 'extension') {
      const body = printExtension(findTarget(t.name, family), t, family);
      parts.push(body === '' ? `-j ${t.name}` : `-j ${t.name} ${body}`);
    } else parts.push(`${t.goto ? '-g' : '-j'} ${t.name}`);
  }
  return parts.join(' ');
}
