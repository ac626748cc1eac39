/**
 * Reading a host snapshot directory into the model's Host: every firewall file through its dialect
 * (iptables-save, ip6tables-save, nft -j), the other facts through src/dialects/host. Missing files
 * leave the part undefined (unknown); content problems become diagnostics with file:line:column.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Diagnostic, info, warning } from '../diagnostics/diagnostic.js';
import { type SourceFile, sourceFile } from '../diagnostics/source.js';
import {
  parseHostsAccess, parseIpAddr, parseIpRoute, parseIpRule, parseIpsetSave, parseLibwrapList, parseSs, parseSysctl,
} from '../dialects/host/index.js';
import { loadIptables } from '../dialects/iptables/index.js';
import { loadNftables } from '../dialects/nftables/index.js';
import type { AddressSet } from '../model/address.js';
import type { Host, PolicyRule, Route, TcpWrappers } from '../model/host.js';
import type { Table } from '../model/ruleset.js';
import { SNAPSHOT_FILES, type SnapshotMeta, type SnapshotPartId } from './layout.js';

export interface LoadedSnapshot {
  readonly host: Host;
  readonly meta: SnapshotMeta;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: ReadonlyMap<string, SourceFile>;
  /** Parts present in the directory. */
  readonly present: readonly SnapshotPartId[];
}

export function isSnapshotDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A snapshot's files as name → text; `readText` abstracts the disk for tests. */
export type ReadPart = (file: string) => string | undefined;

export function diskReader(dir: string): ReadPart {
  return (file) => {
    const p = join(dir, file);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
}

export function loadSnapshot(dir: string, read: ReadPart = diskReader(dir)): LoadedSnapshot {
  const files = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  const present: SnapshotPartId[] = [];
  const part = (id: SnapshotPartId): SourceFile | undefined => {
    const name = SNAPSHOT_FILES[id].file;
    const text = read(name);
    if (text === undefined) return undefined;
    present.push(id);
    const f = sourceFile(join(dir, name), text);
    files.set(f.name, f);
    return f;
  };
  const take = <T>(p: { value: T; diagnostics: readonly Diagnostic[] }): T => {
    diagnostics.push(...p.diagnostics);
    return p.value;
  };

  let meta: SnapshotMeta = {};
  const metaFile = part('meta');
  if (metaFile !== undefined) {
    try {
      meta = JSON.parse(metaFile.text) as SnapshotMeta;
    } catch (e) {
      diagnostics.push(warning('host/meta', `meta.json is not valid JSON (${(e as Error).message}); ignored`));
    }
  }

  const ipsetFile = part('ipset');
  const ipsets: Map<string, AddressSet> | undefined = ipsetFile === undefined ? undefined : take(parseIpsetSave(ipsetFile));

  const tables: Table[] = [];
  const iptablesKeys = new Set<string>();
  for (const [id, family] of [['iptables', 'ipv4'], ['ip6tables', 'ipv6'], ['iptablesLegacy', 'ipv4'], ['ip6tablesLegacy', 'ipv6']] as const) {
    const f = part(id);
    if (f === undefined) continue;
    const loaded = loadIptables(f.text, f.name, { family, ...(ipsets !== undefined ? { ipsets } : {}) });
    diagnostics.push(...loaded.diagnostics);
    for (const t of loaded.ruleset.tables) {
      tables.push(t);
      if (id === 'iptables' || id === 'ip6tables') iptablesKeys.add(`${t.family}/${t.name}`);
    }
  }
  const nftFile = part('nftJson') ?? part('nftText');
  if (nftFile !== undefined) {
    const loaded = loadNftables(nftFile.text, nftFile.name);
    diagnostics.push(...loaded.diagnostics);
    for (const [name, f] of loaded.files) files.set(name, f);
    for (const t of loaded.ruleset.tables) {
      // iptables-nft tables show in both dumps; the iptables-save form is the faithful one.
      if ((t.family === 'ip' || t.family === 'ip6') && iptablesKeys.has(`${t.family}/${t.name}`)) {
        diagnostics.push(info('host/duplicate-table', `${basename(nftFile.name)}: table ${t.family} ${t.name} is also in the iptables-save dump (iptables-nft); the iptables-save copy is used`));
        continue;
      }
      tables.push(t);
    }
  }

  const addr = part('addr');
  const interfaces = addr === undefined ? undefined : take(parseIpAddr(addr));
  const routes: Route[] | undefined = (() => {
    const r4 = part('route4');
    const r6 = part('route6');
    if (r4 === undefined && r6 === undefined) return undefined;
    return [...(r4 ? take(parseIpRoute(r4, 'ipv4')) : []), ...(r6 ? take(parseIpRoute(r6, 'ipv6')) : [])];
  })();
  const policyRules: PolicyRule[] | undefined = (() => {
    const p4 = part('rule4');
    const p6 = part('rule6');
    if (p4 === undefined && p6 === undefined) return undefined;
    return [...(p4 ? take(parseIpRule(p4, 'ipv4')) : []), ...(p6 ? take(parseIpRule(p6, 'ipv6')) : [])];
  })();
  const ss = part('sockets');
  const sockets = ss === undefined ? undefined : take(parseSs(ss));
  const sys = part('sysctl');
  const sysctls = sys === undefined ? undefined : take(parseSysctl(sys));
  const allow = part('hostsAllow');
  const deny = part('hostsDeny');
  const lib = part('libwrap');
  const wrappers: TcpWrappers | undefined = allow === undefined && deny === undefined && lib === undefined ? undefined : {
    allow: allow ? take(parseHostsAccess(allow)) : [],
    deny: deny ? take(parseHostsAccess(deny)) : [],
    ...(lib ? { wrappedDaemons: take(parseLibwrapList(lib)) } : {}),
  };
  const host: Host = {
    name: meta.hostname ?? basename(dir),
    ruleset: { tables },
    ...(interfaces !== undefined ? { interfaces } : {}),
    ...(routes !== undefined ? { routes } : {}),
    ...(policyRules !== undefined ? { policyRules } : {}),
    ...(sockets !== undefined ? { sockets } : {}),
    ...(sysctls !== undefined ? { sysctls } : {}),
    ...(wrappers !== undefined ? { wrappers } : {}),
  };
  return { host, meta, diagnostics, files, present };
}
