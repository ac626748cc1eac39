/** Every match module fwdoctor reads, as plain data (one entry per module and family). */
import type { MatchSpec } from '../extension.js';
import { conntrack, state } from './conntrack.js';
import { ah, ah6, dccp, dst, ecn, esp, eui64, frag, hbh, ipcomp, ipv6header, mh, rt, sctp, tcpmss } from './headers.js';
import { addrtype, comment, owner, physdev } from './host.js';
import { icmp, icmp6 } from './icmp.js';
import { iprange } from './iprange.js';
import {
  bpf, cgroup, cluster, connlabel, cpu, devgroup, helper, ipvs, osf, policy, realm, rpfilter, socket, string, time, u32,
} from './misc.js';
import { multiport } from './multiport.js';
import { connmark, dscp, hl, length, mac, mark, pkttype, tos, ttl } from './packet-fields.js';
import { set } from './set.js';
import { connbytes, connlimit, hashlimit, limit, nfacct, quota, rateest, recent, statistic } from './stateful.js';
import { tcp, udp } from './tcp-udp.js';

export const MATCHES: readonly MatchSpec[] = [
  // modelled
  tcp, udp, icmp, icmp6, multiport, iprange, conntrack, state, comment, length, ttl, hl, tos, dscp, mark, connmark,
  addrtype, pkttype, mac, owner, set, sctp, dccp,
  // kept opaque
  physdev, limit, hashlimit, recent, string, time, u32, bpf, connlimit, connbytes, quota, statistic, nfacct, helper,
  realm, cpu, cgroup, cluster, connlabel, devgroup, policy, ipvs, rpfilter, socket, osf, rateest,
  esp, ah, ah6, ipcomp, ecn, tcpmss, mh, ipv6header, hbh, dst, frag, rt, eui64,
];
