/**
 * Host facts other than firewall rules, each from the output of one program: `ip -j addr`,
 * `ip -j route`, `ip -j rule`, `ss -Htlnup`, sysctls, /etc/hosts.allow and /etc/hosts.deny, the
 * libwrap list, `ipset save`. Every parser takes a SourceFile and returns Parsed<T>; none throws.
 */
export { parseIpAddr } from './ip-addr.js';
export { parseIpRoute } from './ip-route.js';
export { parseIpRule } from './ip-rule.js';
export { parseSs } from './ss.js';
export { parseSysctl, sysctlsFrom } from './sysctl.js';
export { parseHostsAccess, parseLibwrapList, parseWrapperList } from './hosts-access.js';
export { parseIpsetSave } from './ipset-save.js';
