/** Every target extension fwdoctor reads, as plain data (ACCEPT, DROP, RETURN, QUEUE are built in). */
import type { TargetSpec } from '../extension.js';
import { CONNMARK, LOG, MARK, NFLOG, REJECT, REJECT6_TARGET, ULOG } from './basic.js';
import { CHECKSUM, CLASSIFY, CT, DSCP, ECN, HL, NOTRACK, TCPMSS, TOS, TRACE, TTL } from './mangle.js';
import {
  AUDIT, CONNSECMARK, DNPT, HMARK, IDLETIMER, LED, NFQUEUE, RATEEST, SECMARK, SET, SNPT, SYNPROXY, TEE, TPROXY,
} from './misc.js';
import { DNAT, MASQUERADE, NETMAP, REDIRECT, SNAT } from './nat.js';

export const TARGETS: readonly TargetSpec[] = [
  REJECT, REJECT6_TARGET, LOG, NFLOG, ULOG, MARK, CONNMARK,
  DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP,
  TCPMSS, CLASSIFY, DSCP, TOS, TTL, HL, TRACE, CHECKSUM, ECN, CT, NOTRACK,
  TPROXY, NFQUEUE, SET, TEE, AUDIT, SECMARK, CONNSECMARK, SYNPROXY, HMARK, LED, RATEEST, IDLETIMER, DNPT, SNPT,
];
