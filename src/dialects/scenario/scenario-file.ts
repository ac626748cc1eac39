/**
 * The scenario file (YAML or JSON): the layers between a client and a service, client side first.
 *
 *   client: 203.0.113.7          # optional, documentation and default source
 *   service: tcp/443             # optional
 *   layers:
 *     - aws: { eni: eni-0abc, exports: ./aws/ }     # eni optional: found from the flow's address
 *     - azure: { nic: vm1-nic, exports: ./azure/ }
 *     - gcp: { instance: web-1, nic: nic0, exports: ./gcp/ }
 *     - host: ./snapshot/
 *
 * Paths are relative to the scenario file. `exports` is a directory of JSON exports or a list of
 * files; `side: client` puts a cloud layer on the client's side (its outbound rules see the flow).
 */
import { dirname, isAbsolute, join } from 'node:path';
import { parseDocument } from 'yaml';
import { type Diagnostic, type Parsed, error } from '../../diagnostics/diagnostic.js';
import { type SourceFile, spanAt } from '../../diagnostics/source.js';
import type { CloudId } from './export-registry.js';

export type ScenarioLayer =
  | { readonly kind: 'cloud'; readonly cloud: CloudId; readonly exports: readonly string[]; readonly resource?: string; readonly nic?: string; readonly side?: 'client' | 'service' }
  | { readonly kind: 'host'; readonly dir: string };

export interface Scenario {
  readonly client?: string;
  readonly service?: string;
  readonly layers: readonly ScenarioLayer[];
}

const RESOURCE_KEY: Readonly<Record<CloudId, string>> = { aws: 'eni', azure: 'nic', gcp: 'instance' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Is this text a scenario file (a mapping with `layers`)? */
export function looksLikeScenario(text: string): boolean {
  return /^\s*"?layers"?\s*:/m.test(text);
}

export function parseScenario(file: SourceFile): Parsed<Scenario> {
  const diagnostics: Diagnostic[] = [];
  const doc = parseDocument(file.text, { prettyErrors: false });
  const at = (offset: number): ReturnType<typeof spanAt> => spanAt(file, offset, offset + 1);
  for (const e of doc.errors) diagnostics.push(error('scenario/syntax', `${file.name}: ${e.message.split('\n')[0] ?? e.message}`, at(e.pos[0])));
  const root: unknown = doc.errors.length > 0 ? undefined : doc.toJS();
  const bad = (message: string): Parsed<Scenario> => ({ value: { layers: [] }, diagnostics: [...diagnostics, error('scenario/bad-value', `${file.name}: ${message}`, at(0))] });
  if (diagnostics.length > 0) return { value: { layers: [] }, diagnostics };
  if (!isRecord(root)) return bad('expected a mapping with `layers:` (and optionally `client:` and `service:`)');
  const base = dirname(file.name);
  const rel = (p: string): string => (isAbsolute(p) ? p : join(base, p));
  const layers: ScenarioLayer[] = [];
  const raw = root['layers'];
  if (!Array.isArray(raw)) return bad('`layers` must be a list, e.g. [{aws: {exports: ./aws/}}, {host: ./snapshot/}]');
  raw.forEach((item: unknown, i: number) => {
    const where = `layers[${i}]`;
    if (!isRecord(item) || Object.keys(item).length !== 1) {
      diagnostics.push(error('scenario/bad-layer', `${file.name} ${where}: expected one of {aws: …}, {azure: …}, {gcp: …}, {host: DIR}`, at(0)));
      return;
    }
    const [key, v] = Object.entries(item)[0] as [string, unknown];
    if (key === 'host') {
      if (typeof v === 'string') layers.push({ kind: 'host', dir: rel(v) });
      else diagnostics.push(error('scenario/bad-layer', `${file.name} ${where}.host: expected a snapshot directory, got ${JSON.stringify(v)}`, at(0)));
      return;
    }
    if (key !== 'aws' && key !== 'azure' && key !== 'gcp') {
      diagnostics.push(error('scenario/bad-layer', `${file.name} ${where}: unknown layer kind '${key}' (expected aws, azure, gcp or host)`, at(0)));
      return;
    }
    const spec = typeof v === 'string' ? { exports: v } : v;
    if (!isRecord(spec)) {
      diagnostics.push(error('scenario/bad-layer', `${file.name} ${where}.${key}: expected {exports: DIR, ${RESOURCE_KEY[key]}: …}`, at(0)));
      return;
    }
    const ex = spec['exports'];
    const exports = typeof ex === 'string' ? [rel(ex)] : Array.isArray(ex) && ex.every((x) => typeof x === 'string') ? (ex as string[]).map(rel) : undefined;
    if (exports === undefined) {
      diagnostics.push(error('scenario/bad-layer', `${file.name} ${where}.${key}.exports: expected a directory or a list of export files`, at(0)));
      return;
    }
    for (const k of Object.keys(spec)) {
      if (!['exports', RESOURCE_KEY[key], 'nic', 'side'].includes(k)) diagnostics.push(error('scenario/unknown-field', `${file.name} ${where}.${key}: unknown field '${k}' (expected exports, ${RESOURCE_KEY[key]}${key === 'gcp' ? ', nic' : ''}, side)`, at(0)));
    }
    const resource = spec[RESOURCE_KEY[key]];
    const nic = spec['nic'];
    const side = spec['side'];
    if (side !== undefined && side !== 'client' && side !== 'service') diagnostics.push(error('scenario/bad-value', `${file.name} ${where}.${key}.side: expected client or service, got ${JSON.stringify(side)}`, at(0)));
    layers.push({
      kind: 'cloud', cloud: key, exports,
      ...(typeof resource === 'string' ? { resource } : {}),
      ...(key === 'gcp' && typeof nic === 'string' ? { nic } : {}),
      ...(side === 'client' || side === 'service' ? { side } : {}),
    });
  });
  const client = typeof root['client'] === 'string' ? root['client'] : undefined;
  const service = typeof root['service'] === 'string' ? root['service'] : undefined;
  return { value: { layers, ...(client !== undefined ? { client } : {}), ...(service !== undefined ? { service } : {}) }, diagnostics };
}
