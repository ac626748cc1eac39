/** The shell commands a cause points at, built from argument arrays and quoted for a POSIX shell. */
import { shellCommand } from '../../text/shell-quote.js';
import type { PolicyRef, RuleRef } from '../simulate/index.js';

/** How to list the chain a rule lives in: iptables / ip6tables for ip / ip6 tables from iptables-save, nft otherwise. */
export function listChainCommand(ref: RuleRef | PolicyRef, fromIptables: boolean): string {
  if (fromIptables && (ref.family === 'ip' || ref.family === 'ip6')) {
    const bin = ref.family === 'ip' ? 'iptables' : 'ip6tables';
    return shellCommand([bin, '-t', ref.table, '-L', ref.chain, '-n', '-v', '--line-numbers']);
  }
  return shellCommand(['nft', '-a', 'list', 'chain', ref.family, ref.table, ref.chain]);
}

export function iptablesBin(family: string): string {
  return family === 'ip6' || family === 'ipv6' ? 'ip6tables' : 'iptables';
}

export function cmd(...argv: string[]): string {
  return shellCommand(argv);
}
