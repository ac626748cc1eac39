/**
 * Reading cloud export files: a directory (every `*.json` in it, sorted) or single files. Each
 * document is classified by the registry; a document no row recognises, or one that is not JSON,
 * is an error naming the file (and line:column of a syntax error).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, error, info } from '../../diagnostics/diagnostic.js';
import { type SourceFile, sourceFile } from '../../diagnostics/source.js';
import { type CloudId, type ExportKind, detectExport, explainUnknown, exportCommands } from './export-registry.js';
import { type JNode, readJson, spanOf } from './json-doc.js';

export interface ExportDoc {
  readonly kind: ExportKind;
  readonly root: JNode;
}

export interface LoadedExports {
  readonly docs: readonly ExportDoc[];
  readonly diagnostics: readonly Diagnostic[];
  readonly files: ReadonlyMap<string, SourceFile>;
}

/** Classifies documents already in memory (tests, and the disk loader below). */
export function classifyExports(files: readonly SourceFile[]): LoadedExports {
  const docs: ExportDoc[] = [];
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, SourceFile>();
  for (const f of files) {
    byName.set(f.name, f);
    const doc = readJson(f);
    if (doc.root === undefined) {
      if (doc.error !== undefined) diagnostics.push(doc.error);
      continue;
    }
    if (Array.isArray(doc.root.value) && doc.root.value.length === 0) {
      diagnostics.push(info('cloud/empty-export', `${f.name}: an empty list, nothing to read`, spanOf(doc.root)));
      continue;
    }
    const kind = detectExport(doc.root.value);
    if (kind === undefined) {
      diagnostics.push(error('cloud/unknown-export', `${f.name} $: not a cloud export fwdoctor reads (${explainUnknown(doc.root.value)}); expected the JSON output of one of: ${exportCommands()}`, spanOf(doc.root)));
      continue;
    }
    docs.push({ kind, root: doc.root });
  }
  return { docs, diagnostics, files: byName };
}

function listJson(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path).filter((n) => n.endsWith('.json')).sort().map((n) => join(path, n));
}

/** Reads files and directories of exports; I/O errors become diagnostics too. */
export function loadExports(paths: readonly string[]): LoadedExports {
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    let names: string[];
    try {
      names = listJson(p);
    } catch (e) {
      diagnostics.push(error('cloud/cannot-read', `cannot read ${p}: ${(e as Error).message}`));
      continue;
    }
    for (const n of names) {
      try {
        files.push(sourceFile(n, readFileSync(n, 'utf8')));
      } catch (e) {
        diagnostics.push(error('cloud/cannot-read', `cannot read ${n}: ${(e as Error).message}`));
      }
    }
  }
  const c = classifyExports(files);
  return { docs: c.docs, diagnostics: [...diagnostics, ...c.diagnostics], files: c.files };
}

export function docsOf(l: LoadedExports, cloud: CloudId): ExportDoc[] {
  return l.docs.filter((d) => d.kind.cloud === cloud);
}

/** Is this directory (or file) made of cloud exports rather than a host snapshot? */
export function looksLikeCloudExports(path: string): boolean {
  try {
    const names = listJson(path);
    if (names.length === 0) return false;
    return names.some((n) => {
      const doc = readJson(sourceFile(n, readFileSync(n, 'utf8')));
      return doc.root !== undefined && detectExport(doc.root.value) !== undefined;
    });
  } catch {
    return false;
  }
}
