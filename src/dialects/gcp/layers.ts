/**
 * The GCP layer of one instance interface, for one flow. Rules see internal addresses: a flow to
 * an external (NAT) address is traced with the interface's internal address, and source tags never
 * match it (they match internal addresses only).
 */
import { type Address, formatAddress } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import type { FilterLayer } from '../../model/path.js';
import { GcpConverter } from './convert.js';
import type { GcpInstance, GcpInventory, GcpNic } from './syntax.js';

export interface GcpLayers {
  readonly layers: readonly FilterLayer[];
  readonly notes: readonly string[];
  readonly errors: readonly string[];
  readonly instance?: GcpInstance;
  readonly translate?: { readonly from: Address; readonly to: Address };
}

const same = (a: Address | undefined, b: Address): boolean => a !== undefined && a.family === b.family && a.value === b.value;
const owns = (n: GcpNic, a: Address): boolean => same(n.address, a) || same(n.address6, a);

export class GcpModel {
  readonly conv: GcpConverter;

  constructor(readonly inv: GcpInventory) {
    this.conv = new GcpConverter(inv);
  }

  find(a: Address, external: boolean): { inst: GcpInstance; nic: GcpNic } | undefined {
    for (const inst of this.inv.instances) for (const nic of inst.nics) if (owns(nic, a) || (external && same(nic.natAddress, a))) return { inst, nic };
    return undefined;
  }

  layersFor(p: Packet, opts: { readonly instance?: string; readonly nic?: string; readonly side?: 'service' | 'client' }): GcpLayers {
    const notes: string[] = [];
    const src: Address = { family: p.family, value: p.src };
    const dst: Address = { family: p.family, value: p.dst };
    let hit: { inst: GcpInstance; nic: GcpNic } | undefined;
    if (opts.instance !== undefined) {
      const inst = this.inv.instances.find((i) => i.name === opts.instance);
      const nic = inst?.nics.find((n) => opts.nic === undefined ? owns(n, dst) || owns(n, src) || same(n.natAddress, dst) : n.name === opts.nic) ?? inst?.nics[0];
      if (inst === undefined || nic === undefined) return { layers: [], notes, errors: [`no instance ${opts.instance}${opts.nic !== undefined ? ` with interface ${opts.nic}` : ''} in the GCP exports (gcloud compute instances list)`] };
      hit = { inst, nic };
    } else {
      hit = opts.side === 'client' ? this.find(src, false) : this.find(dst, true) ?? (opts.side === undefined ? this.find(src, false) : undefined);
      if (hit === undefined) return { layers: [], notes, errors: [`no instance in the GCP exports has address ${formatAddress(opts.side === 'client' ? src : dst)}`] };
    }
    const { inst, nic } = hit;
    const side = opts.side ?? (owns(nic, src) && !owns(nic, dst) && !same(nic.natAddress, dst) ? 'client' : 'service');
    let translate: GcpLayers['translate'];
    if (side === 'service' && same(nic.natAddress, dst) && nic.address !== undefined) {
      translate = { from: dst, to: nic.address };
      notes.push(`${formatAddress(dst)} is the external address of ${inst.name}/${nic.name}: traced with its internal address ${formatAddress(nic.address)} (source tags and service accounts never match traffic to external addresses)`);
    }
    const disabled = this.inv.rules.filter((r) => r.disabled && r.network === nic.network).map((r) => r.name);
    if (disabled.length > 0) notes.push(`disabled rules ignored: ${disabled.join(', ')}`);
    const layer = this.conv.layer(inst, nic, side === 'service' ? 'destination' : 'source');
    return { layers: [layer], notes, errors: [], instance: inst, ...(translate !== undefined ? { translate } : {}) };
  }
}
