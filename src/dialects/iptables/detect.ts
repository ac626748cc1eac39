/** Cheap recognition of iptables-save text and of its family (iptables or ip6tables). */
import type { IpFamily } from './syntax.js';

const TABLE_LINE = /^\s*\*(filter|nat|mangle|raw|security)\s*$/m;
const COMMAND_LINE = /^\s*(\[\d+:\d+\]\s*)?-[AINP] \S+/m;
const CHAIN_LINE = /^:[^\s]+ (ACCEPT|DROP|-)( \[\d+:\d+\])?\s*$/m;

/** True for iptables-save / ip6tables-save / restore files: a `*table` line plus chains or rules. */
export function isIptablesSave(text: string): boolean {
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  if (!TABLE_LINE.test(head)) return false;
  return CHAIN_LINE.test(head) || COMMAND_LINE.test(head) || /^COMMIT\s*$/m.test(head);
}

const V6_HEADER = /^#.*\bip6tables(-nft|-legacy)?-save\b/m;
const V4_HEADER = /^#.*\biptables(-nft|-legacy)?-save\b/m;
const V6_ADDRESS = /\s(?:-s|-d|--source|--destination|--src-range|--dst-range|--to-destination|--to-source|--on-ip|--gateway)(?:\s+!)?\s+\[?[0-9a-fA-F]{0,4}:[0-9a-fA-F:]*[/\s\]-]/;
const V6_WORDS = /\s(?:-p (?:ipv6-icmp|icmpv6|icmp6)|-m (?:icmp6|hl|ipv6header|hbh|dst|frag|rt|mh|eui64)|--reject-with icmp6-)/;

const V4_ADDRESS = /\s(?:-s|-d|--source|--destination|--src-range|--dst-range|--to-destination|--to-source)(?:\s+!)?\s+\d{1,3}\.\d{1,3}\./;

/**
 * The family a file was saved from: its header comment, else the first address or IPv6-only
 * module it uses (a file holds one family, so the first evidence decides).
 */
export function detectFamily(text: string): { family: IpFamily; from: 'header' | 'content' | 'default' } {
  const head = text.slice(0, 4096);
  if (V6_HEADER.test(head)) return { family: 'ipv6', from: 'header' };
  if (V4_HEADER.test(head)) return { family: 'ipv4', from: 'header' };
  // Look at growing prefixes: most files show an address in their first rules.
  for (let len = 16_384; ; len *= 4) {
    const part = len >= text.length ? text : text.slice(0, len);
    const v6 = V6_ADDRESS.exec(part)?.index ?? V6_WORDS.exec(part)?.index;
    const v4 = V4_ADDRESS.exec(part)?.index;
    if (v6 !== undefined && (v4 === undefined || v6 < v4)) return { family: 'ipv6', from: 'content' };
    if (v4 !== undefined) return { family: 'ipv4', from: 'content' };
    if (part === text) return { family: 'ipv4', from: 'default' };
  }
}
