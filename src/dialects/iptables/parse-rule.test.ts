/** Reading one command line as iptables' getopt_long does (checked against iptables 1.8.9). */
import { describe, expect, it } from 'vitest';
import { parseIptablesSave, printIptablesSave } from './index.js';
import type { CommandLine } from './syntax.js';

function run(line: string, table = 'filter', family: 'ipv4' | 'ipv6' = 'ipv4') {
  const p = parseIptablesSave(`*${table}\n${line}\nCOMMIT\n`, 'r.rules', { family });
  const printed = printIptablesSave(p.value).split('\n').filter((l) => l.startsWith('-A ') || l.startsWith('['));
  const diags = p.diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.code} ${d.message}`);
  return { printed, diags, errors: p.diagnostics.filter((d) => d.severity === 'error'), syntax: p.value };
}

const printedOf = (line: string, table?: string, family?: 'ipv4' | 'ipv6') => {
  const r = run(line, table, family);
  expect(r.errors).toEqual([]);
  return r.printed.join('\n');
};

describe('getopt emulation', () => {
  it('accepts --name=value, unique abbreviations and clustered short options', () => {
    expect(printedOf('-A INPUT --protocol=tcp --dp 22 -ieth0 -j ACCEPT')).toBe('-A INPUT -i eth0 -p tcp -m tcp --dport 22 -j ACCEPT');
    expect(printedOf('-A FORWARD -ptcp -s1.2.3.4 -d5.6.7.8/32 -oeth1 -jACCEPT')).toBe('-A FORWARD -s 1.2.3.4/32 -d 5.6.7.8/32 -o eth1 -p tcp -j ACCEPT');
  });

  it('loads the protocol match for an unknown option after -p, where the option appears', () => {
    expect(printedOf('-A INPUT -p tcp -m comment --comment x --dport 22')).toBe('-A INPUT -p tcp -m comment --comment x -m tcp --dport 22');
  });

  it('gives an option to the latest loaded module that has it', () => {
    expect(printedOf('-A INPUT -m mark --mark 1 -m connmark --mark 2')).toBe('-A INPUT -m mark --mark 0x1 -m connmark --mark 0x2');
  });

  it('places ! before the option it inverts', () => {
    expect(printedOf('-A INPUT ! -s 198.18.0.0/15 ! -i eth+ -p tcp ! --dport 22')).toBe('-A INPUT ! -s 198.18.0.0/15 ! -i eth+ -p tcp -m tcp ! --dport 22');
  });

  it('drops -i + (any interface) but keeps ! -i +', () => {
    expect(printedOf('-A INPUT -i + -p tcp')).toBe('-A INPUT -p tcp');
    expect(printedOf('-A INPUT ! -i +')).toBe('-A INPUT ! -i +');
  });

  it('prints protocols by their /etc/protocols name and leaves out -p all', () => {
    expect(printedOf('-A INPUT -p 47')).toBe('-A INPUT -p gre');
    expect(printedOf('-A INPUT -p 200')).toBe('-A INPUT -p 200');
    expect(printedOf('-A INPUT -p all')).toBe('-A INPUT');
    expect(printedOf('-A INPUT -p icmpv6', 'filter', 'ipv6')).toBe('-A INPUT -p ipv6-icmp');
  });

  it('clears host bits and prints non-contiguous masks as masks', () => {
    expect(printedOf('-A INPUT -s 10.11.12.13/8 -d 10.11.12.13/255.0.255.0')).toBe('-A INPUT -s 10.0.0.0/8 -d 10.0.12.0/255.0.255.0');
  });

  it('turns -c counters into the [p:b] prefix', () => {
    expect(printedOf('-A INPUT -c 10 800 -j ACCEPT')).toBe('[10:800] -A INPUT -j ACCEPT');
    expect(printedOf('[3:4] -A INPUT -j ACCEPT')).toBe('[3:4] -A INPUT -j ACCEPT');
  });

  it('makes -4 rules exist only for iptables and -6 rules only for ip6tables', () => {
    expect(printedOf('-A INPUT -6 -j ACCEPT')).toBe('');
    expect(printedOf('-A INPUT -4 -j ACCEPT')).toBe('-A INPUT -j ACCEPT');
  });
});

describe('errors, with their position', () => {
  const diags = (line: string, table?: string, family?: 'ipv4' | 'ipv6') => run(line, table, family).diags;

  it('unknown options and modules', () => {
    expect(diags('-A INPUT -p tcp --bogus 1')).toEqual(["2:17 iptables/unknown-option unknown option '--bogus' (loaded matches: tcp)"]);
    expect(diags('-A INPUT -m bogus --x 1 -j ACCEPT')).toEqual(["2:13 iptables/unknown-match unknown match module 'bogus'"]);
    expect(diags('-A INPUT -m icmp6 --icmpv6-type 1')).toEqual(["2:13 iptables/unknown-match match module 'icmp6' exists only in ip6tables"]);
  });

  it('ambiguous abbreviations', () => {
    expect(diags('-A INPUT -p tcp --s 22')).toEqual(["2:17 iptables/unknown-option option '--s' is ambiguous (--source, --set-counters)"]);
    expect(diags('-A INPUT -p tcp -m tcp --so 22')).toEqual(["2:24 iptables/unknown-option option '--so' is ambiguous (--source, --source-port)"]);
  });

  it('! where it cannot go', () => {
    expect(diags('-A INPUT ! -m tcp -p tcp')).toEqual(["2:10 iptables/cannot-invert '!' is not allowed before -m"]);
    expect(diags('-A INPUT -p tcp !')).toEqual(["2:17 iptables/syntax nothing appropriate follows '!'"]);
    expect(diags('-A INPUT ! -p all')).toEqual(["2:15 iptables/invalid-value '! -p all' would never match: every packet has a protocol"]);
  });

  it('the old intrapositioned negation is refused as iptables 1.8 refuses it', () => {
    expect(diags('-A INPUT -d ! 198.18.0.1')).toEqual([
      "2:13 iptables/invalid-value -d: expected an IPv4 address, got '!'",
      "2:15 iptables/syntax unexpected argument '198.18.0.1': expected an option",
    ]);
  });

  it('interfaces a built-in chain cannot see, and names that are too long', () => {
    expect(diags('-A INPUT -o eth0')).toEqual(['2:13 iptables/wrong-chain -o cannot be used in INPUT: packets there have no output interface yet']);
    expect(diags('-A OUTPUT -i eth0')).toEqual(['2:14 iptables/wrong-chain -i cannot be used in OUTPUT: packets there have no input interface']);
    expect(diags('-A FORWARD -i thisinterfaceistoolong0')).toEqual(["2:15 iptables/invalid-value interface name 'thisinterfaceistoolong0' is too long: at most 15 characters"]);
  });

  it('options given twice and protocols used twice', () => {
    expect(diags('-A INPUT -p tcp -p udp')).toEqual(['2:17 iptables/duplicate-option multiple -p flags are not allowed']);
    expect(diags('-A INPUT -s 1.2.3.4 -s 2.3.4.5')).toEqual(['2:21 iptables/duplicate-option multiple -s flags are not allowed']);
  });

  it('host names, which iptables would resolve when loading', () => {
    expect(diags('-A INPUT -s localhost')).toEqual(["2:13 iptables/host-name -s 'localhost': host names are not resolved (iptables resolves them when loading); write the address"]);
  });

  it('-f in ip6tables', () => {
    expect(diags('-A INPUT -f', 'filter', 'ipv6')).toEqual(["2:10 iptables/invalid-option '-f' is not supported in IPv6 (ip6tables uses -m frag)"]);
  });
});

describe('the command line', () => {
  it('records op, chain, index and spans, and reads the rule on demand', () => {
    const { syntax } = run('-I INPUT 2 -p udp -j DROP');
    const block = syntax.items[0];
    expect(block?.kind).toBe('table');
    const cmd = (block?.kind === 'table' ? block.items[0] : undefined) as CommandLine;
    expect(cmd.op).toBe('insert');
    expect(cmd.chain).toBe('INPUT');
    expect(cmd.index).toBe(2);
    expect(cmd.opSpan.start).toEqual({ line: 2, column: 1 });
    expect(cmd.chainSpan?.start).toEqual({ line: 2, column: 4 });
    expect(cmd.indexSpan?.start).toEqual({ line: 2, column: 10 });
    expect(cmd.rule?.protocol?.number).toBe(17);
    expect(cmd.rule?.target).toMatchObject({ name: 'DROP', type: 'standard', goto: false });
    expect(cmd.rule).toBe(cmd.rule); // read once, then kept
  });

  it('keeps each match module with its options, as written and as read', () => {
    const { syntax } = run('-A INPUT -p tcp --sport 1024: -m multiport ! --dports ssh,80');
    const cmd = (syntax.items[0]?.kind === 'table' ? syntax.items[0].items[0] : undefined) as CommandLine;
    const [tcp, mp] = cmd.rule?.matches ?? [];
    expect(tcp).toMatchObject({ name: 'tcp', implicit: true, options: [{ name: 'sport', given: 'sport', invert: false, args: ['1024:'], value: [1024, 65535] }] });
    expect(mp).toMatchObject({ name: 'multiport', implicit: false, options: [{ name: 'dports', invert: true, args: ['ssh,80'], value: [[22, 22], [80, 80]] }] });
  });
});
