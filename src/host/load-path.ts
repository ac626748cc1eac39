/**
 * The layers of a path from command-line arguments: each snapshot directory is a host layer, in the
 * order given (client side first); ruleset files given instead make one host layer that knows only
 * its rules (no addresses, routes or sockets: those are then taken as unknown).
 */
import { basename } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source.js';
import type { Host } from '../model/host.js';
import { type Layer, type Path, hostLayer } from '../model/path.js';
import type { Ruleset } from '../model/ruleset.js';
import { isSnapshotDir, loadSnapshot, type LoadedSnapshot } from './snapshot.js';

export interface LoadedPath {
  readonly path: Path;
  readonly snapshots: readonly LoadedSnapshot[];
  readonly diagnostics: readonly Diagnostic[];
  readonly files: ReadonlyMap<string, SourceFile>;
}

/** `loadRulesets` is passed in so that this module does not depend on the CLI. */
export type RulesetLoader = (names: readonly string[]) => { ruleset: Ruleset; diagnostics: readonly Diagnostic[]; files: ReadonlyMap<string, SourceFile> };

export function loadPath(args: readonly string[], loadFiles: RulesetLoader): LoadedPath {
  const layers: Layer[] = [];
  const snapshots: LoadedSnapshot[] = [];
  const diagnostics: Diagnostic[] = [];
  const files = new Map<string, SourceFile>();
  const plain = args.filter((a) => !isSnapshotDir(a));
  const names = new Set<string>();
  const unique = (n: string): string => {
    let name = n;
    for (let k = 2; names.has(name); k++) name = `${n}#${k}`;
    names.add(name);
    return name;
  };
  for (const a of args) {
    if (!isSnapshotDir(a)) continue;
    const s = loadSnapshot(a);
    snapshots.push(s);
    diagnostics.push(...s.diagnostics);
    for (const [k, v] of s.files) files.set(k, v);
    layers.push(hostLayer(unique(s.host.name), s.host));
  }
  if (plain.length > 0) {
    const loaded = loadFiles(plain);
    diagnostics.push(...loaded.diagnostics);
    for (const [k, v] of loaded.files) files.set(k, v);
    const host: Host = { name: basename(plain[0] as string), ruleset: loaded.ruleset };
    layers.push(hostLayer(unique('host'), host));
  }
  return { path: { layers }, snapshots, diagnostics, files };
}
