/**
 * From a scenario (or from plain arguments: cloud export directories and host snapshots) to the
 * Path of one flow. Cloud layers depend on the flow: which interface owns the address, whether
 * the other end is inside the subnet (AWS NACLs), the public → private translation. Host
 * snapshots are loaded by a function the caller passes in, so that dialects do not depend on the
 * host loader.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { sourceFile, type SourceFile } from '../../diagnostics/source.js';
import { type Address, formatAddress } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import type { HostLayer, Layer, Path } from '../../model/path.js';
import { AwsModel, readAwsInventory } from '../aws/index.js';
import { AzureModel, readAzureInventory } from '../azure/index.js';
import { GcpModel, readGcpInventory } from '../gcp/index.js';
import type { CloudId } from './export-registry.js';
import { docsOf, loadExports, type LoadedExports } from './load-exports.js';
import { type ScenarioLayer, parseScenario } from './scenario-file.js';

export interface HostLoad {
  readonly layer: HostLayer;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: ReadonlyMap<string, SourceFile>;
}

export type HostLoader = (dir: string) => HostLoad;

export type CloudModel = AwsModel | AzureModel | GcpModel;

type Resolved =
  | { readonly kind: 'cloud'; readonly cloud: CloudId; readonly model: CloudModel; readonly spec: ScenarioLayer & { kind: 'cloud' } }
  | { readonly kind: 'host'; readonly layer: HostLayer };

export interface FlowPath {
  readonly path: Path;
  /** The packet to trace (its destination translated when it named a public address). */
  readonly packet: Packet;
  readonly notes: readonly string[];
  readonly errors: readonly string[];
}

export function modelOf(cloud: CloudId, ex: LoadedExports): { model: CloudModel; diagnostics: readonly Diagnostic[] } {
  const docs = docsOf(ex, cloud);
  switch (cloud) {
    case 'aws': { const r = readAwsInventory(docs); return { model: new AwsModel(r.value), diagnostics: r.diagnostics }; }
    case 'azure': { const r = readAzureInventory(docs); return { model: new AzureModel(r.value), diagnostics: r.diagnostics }; }
    case 'gcp': { const r = readGcpInventory(docs); return { model: new GcpModel(r.value), diagnostics: r.diagnostics }; }
  }
}

export class CloudScenario {
  readonly diagnostics: Diagnostic[] = [];
  readonly files = new Map<string, SourceFile>();
  private readonly layers: Resolved[] = [];

  constructor(specs: readonly ScenarioLayer[], loadHost: HostLoader) {
    for (const s of specs) {
      if (s.kind === 'host') {
        const h = loadHost(s.dir);
        this.diagnostics.push(...h.diagnostics);
        for (const [k, v] of h.files) this.files.set(k, v);
        this.layers.push({ kind: 'host', layer: h.layer });
        continue;
      }
      const ex = loadExports(s.exports);
      this.diagnostics.push(...ex.diagnostics);
      for (const [k, v] of ex.files) this.files.set(k, v);
      const clouds = new Set(ex.docs.map((d) => d.kind.cloud));
      if (!clouds.has(s.cloud)) this.diagnostics.push({ code: 'scenario/no-exports', severity: 'error', message: `${s.exports.join(', ')}: no ${s.cloud} export found (${ex.docs.length} other document(s))` });
      const m = modelOf(s.cloud, ex);
      this.diagnostics.push(...m.diagnostics);
      this.layers.push({ kind: 'cloud', cloud: s.cloud, model: m.model, spec: s });
    }
    for (const l of this.layers) {
      if (l.kind === 'cloud' && l.model instanceof AzureModel) this.diagnostics.push(...l.model.conv.diagnostics);
    }
  }

  get models(): CloudModel[] {
    return this.layers.flatMap((l) => (l.kind === 'cloud' ? [l.model] : []));
  }

  pathFor(first: Packet): FlowPath {
    const out: Layer[] = [];
    const notes: string[] = [];
    const errors: string[] = [];
    let p = first;
    for (const l of this.layers) {
      if (l.kind === 'host') {
        out.push(l.layer);
        continue;
      }
      const side = l.spec.side;
      const opts = { ...(side !== undefined ? { side } : {}) };
      const r = l.model instanceof AwsModel ? l.model.layersFor(p, { ...opts, ...(l.spec.resource !== undefined ? { eni: l.spec.resource } : {}) })
        : l.model instanceof AzureModel ? l.model.layersFor(p, { ...opts, ...(l.spec.resource !== undefined ? { nic: l.spec.resource } : {}) })
        : l.model.layersFor(p, { ...opts, ...(l.spec.resource !== undefined ? { instance: l.spec.resource } : {}), ...(l.spec.nic !== undefined ? { nic: l.spec.nic } : {}) });
      notes.push(...r.notes);
      errors.push(...r.errors);
      out.push(...r.layers);
      const tr = 'translate' in r ? r.translate : undefined;
      if (tr !== undefined && p.dst === tr.from.value) p = { ...p, dst: tr.to.value };
    }
    notes.push(...this.connections(p));
    return { path: { layers: out }, packet: p, notes, errors };
  }

  /** Says when a host snapshot after a cloud layer does not own the destination the cloud layer protects. */
  private connections(p: Packet): string[] {
    const hosts = this.layers.flatMap((l) => (l.kind === 'host' ? [l.layer] : []));
    if (hosts.length === 0 || this.models.length === 0) return [];
    const dst: Address = { family: p.family, value: p.dst };
    const owner = hosts.find((h) => h.host.interfaces?.some((i) => i.addresses.some((a) => a.family === dst.family && a.address === dst.value)));
    if (owner !== undefined) return [`${formatAddress(dst)} is an address of host ${owner.name}: the cloud layers and the host snapshot connect`];
    if (hosts.every((h) => h.host.interfaces === undefined)) return [];
    return [`no host snapshot has ${formatAddress(dst)}: the packet leaves the last layer and the destination is assumed to answer`];
  }
}

export function loadScenarioFile(name: string, text: string, loadHost: HostLoader): CloudScenario {
  const f = sourceFile(name, text);
  const parsed = parseScenario(f);
  const sc = new CloudScenario(parsed.value.layers, loadHost);
  sc.diagnostics.unshift(...parsed.diagnostics);
  sc.files.set(name, f);
  return sc;
}

/** Plain arguments: each cloud export directory becomes a cloud layer (cloud detected), the others host snapshots. */
export function scenarioFromArgs(args: readonly string[], isCloud: (a: string) => boolean, loadHost: HostLoader): CloudScenario {
  const specs: ScenarioLayer[] = [];
  for (const a of args) {
    if (!isCloud(a)) { specs.push({ kind: 'host', dir: a }); continue; }
    const ex = loadExports([a]);
    const clouds = [...new Set(ex.docs.map((d) => d.kind.cloud))];
    for (const c of clouds.length > 0 ? clouds : (['aws'] as CloudId[])) specs.push({ kind: 'cloud', cloud: c, exports: [a] });
  }
  return new CloudScenario(specs, loadHost);
}
