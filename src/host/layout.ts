/**
 * The host snapshot: one directory, every file optional (docs/host-snapshot.md). The names below
 * are the contract between `fwdoctor collect` and every command that reads a snapshot.
 */

export interface SnapshotPart {
  /** File name inside the snapshot directory. */
  readonly file: string;
  /** The command whose output it holds (for docs, notes and `collect`). */
  readonly source: string;
}

export const SNAPSHOT_FILES = {
  iptables: { file: 'iptables.rules', source: 'iptables-save' },
  ip6tables: { file: 'ip6tables.rules', source: 'ip6tables-save' },
  iptablesLegacy: { file: 'iptables-legacy.rules', source: 'iptables-legacy-save' },
  ip6tablesLegacy: { file: 'ip6tables-legacy.rules', source: 'ip6tables-legacy-save' },
  nftJson: { file: 'nft.json', source: 'nft -j list ruleset' },
  nftText: { file: 'nft.rules', source: 'nft list ruleset' },
  ipset: { file: 'ipset.save', source: 'ipset save' },
  addr: { file: 'ip-addr.json', source: 'ip -j addr' },
  route4: { file: 'ip-route.json', source: 'ip -4 -j route show table all' },
  route6: { file: 'ip6-route.json', source: 'ip -6 -j route show table all' },
  rule4: { file: 'ip-rule.json', source: 'ip -4 -j rule' },
  rule6: { file: 'ip6-rule.json', source: 'ip -6 -j rule' },
  sockets: { file: 'ss.txt', source: 'ss -Htlnup' },
  sysctl: { file: 'sysctl.txt', source: 'sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv4.conf.*.rp_filter net.netfilter.nf_conntrack_* …' },
  hostsAllow: { file: 'hosts.allow', source: '/etc/hosts.allow' },
  hostsDeny: { file: 'hosts.deny', source: '/etc/hosts.deny' },
  libwrap: { file: 'libwrap.txt', source: 'ldd on listening daemons: those linked with libwrap' },
  meta: { file: 'meta.json', source: 'fwdoctor collect: host name, time, notes' },
} as const satisfies Record<string, SnapshotPart>;

export type SnapshotPartId = keyof typeof SNAPSHOT_FILES;

/** meta.json */
export interface SnapshotMeta {
  readonly hostname?: string;
  readonly collectedAt?: string;
  readonly fwdoctorVersion?: string;
  /** What could not be collected, and why (not root, tool missing, …). */
  readonly notes?: readonly string[];
}
