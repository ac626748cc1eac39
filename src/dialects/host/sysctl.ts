/**
 * Sysctls as `sysctl -a` prints them (`net.ipv4.ip_forward = 1`), also `key=value`, `#` comments,
 * and /proc/sys paths as keys (`/proc/sys/net/ipv4/ip_forward = 1`).
 */
import { type Diagnostic, type Parsed, error, warning } from '../../diagnostics/diagnostic.js';
import { type SourceFile, lineSpan, lineText } from '../../diagnostics/source.js';
import type { HostSysctls } from '../../model/host.js';
import type { Origin } from '../../model/origin.js';

const CODE = 'host/sysctl';

function flag(values: ReadonlyMap<string, string>, key: string): boolean | undefined {
  const v = values.get(key);
  return v === undefined ? undefined : v.trim() !== '0';
}

function int(values: ReadonlyMap<string, string>, key: string): number | undefined {
  const v = values.get(key);
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** The facts the host pipeline uses, from a name → value map. */
export function sysctlsFrom(values: ReadonlyMap<string, string>, origins?: ReadonlyMap<string, Origin>): HostSysctls {
  const rp = new Map<string, number>();
  const timeouts = new Map<string, number>();
  for (const [k, v] of values) {
    const m = /^net\.ipv4\.conf\.([^.]+)\.rp_filter$/.exec(k);
    if (m && /^\d+$/.test(v.trim())) rp.set(m[1] as string, Number(v.trim()));
    const t = /^net\.netfilter\.(nf_conntrack_\w+_timeout\w*)$/.exec(k);
    if (t && /^\d+$/.test(v.trim())) timeouts.set(t[1] as string, Number(v.trim()));
  }
  const v4 = flag(values, 'net.ipv4.ip_forward');
  const v6 = flag(values, 'net.ipv6.conf.all.forwarding');
  const max = int(values, 'net.netfilter.nf_conntrack_max') ?? int(values, 'net.nf_conntrack_max');
  const count = int(values, 'net.netfilter.nf_conntrack_count');
  const logAll = flag(values, 'net.netfilter.nf_log_all_netns');
  const v6only = flag(values, 'net.ipv6.bindv6only');
  return {
    ...(v4 !== undefined || v6 !== undefined ? { ipForward: { ...(v4 !== undefined ? { ipv4: v4 } : {}), ...(v6 !== undefined ? { ipv6: v6 } : {}) } } : {}),
    ...(rp.size > 0 ? { rpFilter: rp } : {}),
    ...(max !== undefined ? { conntrackMax: max } : {}),
    ...(count !== undefined ? { conntrackCount: count } : {}),
    ...(timeouts.size > 0 ? { conntrackTimeouts: timeouts } : {}),
    ...(logAll !== undefined ? { nfLogAllNetns: logAll } : {}),
    ...(v6only !== undefined ? { bindV6Only: v6only } : {}),
    values,
    ...(origins !== undefined ? { origins } : {}),
  };
}

export function parseSysctl(file: SourceFile): Parsed<HostSysctls> {
  const values = new Map<string, string>();
  const origins = new Map<string, Origin>();
  const diags: Diagnostic[] = [];
  for (let n = 1; n <= file.lineStarts.length; n++) {
    const line = lineText(file, n);
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      // `sysctl -a` prints "sysctl: permission denied on key …" lines to stderr; a saved copy may hold them.
      if (t.startsWith('sysctl:')) diags.push(warning(CODE, `not a value: ${t}`, lineSpan(file.name, n, 1, t.length)));
      else diags.push(error(CODE, `expected 'name = value', got '${t}'`, lineSpan(file.name, n, line.indexOf(t) + 1, t.length)));
      continue;
    }
    let key = line.slice(0, eq).trim();
    if (key.startsWith('/proc/sys/')) key = key.slice('/proc/sys/'.length).replace(/\//g, '.');
    if (!/^[\w.\-/]+$/.test(key)) {
      diags.push(error(CODE, `expected a sysctl name (net.ipv4.ip_forward), got '${key}'`, lineSpan(file.name, n, line.indexOf(key) + 1, Math.max(1, key.length))));
      continue;
    }
    const value = line.slice(eq + 1).trim();
    values.set(key, value);
    origins.set(key, { dialect: 'sysctl', file: file.name, line: n, column: 1, text: t, native: { key } });
  }
  return { value: sysctlsFrom(values, origins), diagnostics: diags };
}
