/**
 * The Azure layers of one NIC, for one flow, client side first. Inbound: the subnet NSG, then the
 * NIC NSG; outbound: the NIC NSG, then the subnet NSG; both must allow, a missing level allows.
 * Unlike AWS NACLs, the subnet NSG also filters traffic inside the subnet. The effective rules of
 * `az network nic list-effective-nsg` are preferred when given for the NIC (tags already expanded).
 * NSGs see private addresses: a flow to the NIC's public address is not modelled (give the private one).
 */
import { type Address, formatAddress } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import type { FilterLayer } from '../../model/path.js';
import { NsgConverter, type NsgSource } from './convert-nsg.js';
import { type AzSubnet, type AzureInventory, type Nic, nameOf, sameId } from './syntax.js';

export interface AzureLayers {
  readonly layers: readonly FilterLayer[];
  readonly notes: readonly string[];
  readonly errors: readonly string[];
  readonly nic?: Nic;
}

export class AzureModel {
  readonly conv: NsgConverter;

  constructor(readonly inv: AzureInventory) {
    this.conv = new NsgConverter(inv);
  }

  findNic(nameOrId: string): Nic | undefined {
    return this.inv.nics.find((n) => sameId(n.id, nameOrId) || n.name.toLowerCase() === nameOrId.toLowerCase());
  }

  nicWithAddress(a: Address): Nic | undefined {
    return this.inv.nics.find((n) => n.ipConfigs.some((c) => c.address?.family === a.family && c.address.value === a.value));
  }

  subnetOf(nic: Nic): AzSubnet | undefined {
    const id = nic.ipConfigs.find((c) => c.subnetId !== undefined)?.subnetId;
    return this.inv.subnets.find((s) => sameId(s.id, id));
  }

  private nsgById(id: string | undefined): NsgSource | undefined {
    return id === undefined ? undefined : this.inv.nsgs.find((n) => sameId(n.id, id) || n.name === nameOf(id));
  }

  subnetNsg(nic: Nic): NsgSource | undefined {
    const subnetId = nic.ipConfigs.find((c) => c.subnetId !== undefined)?.subnetId;
    const s = this.subnetOf(nic);
    return this.nsgById(s?.nsgId) ?? (subnetId === undefined ? undefined : this.inv.nsgs.find((n) => n.subnetIds.some((x) => sameId(x, subnetId))));
  }

  nicNsg(nic: Nic): NsgSource | undefined {
    return this.nsgById(nic.nsgId) ?? this.inv.nsgs.find((n) => n.nicIds.some((x) => sameId(x, nic.id)));
  }

  /** Effective blocks for the NIC: those naming it, or its subnet. */
  private effectiveFor(nic: Nic): { subnet?: NsgSource; nic?: NsgSource } | undefined {
    const subnetId = nic.ipConfigs.find((c) => c.subnetId !== undefined)?.subnetId;
    const mine = this.inv.effective.filter((b) => sameId(b.targetId, nic.id) || (b.level === 'subnet' && sameId(b.targetId, subnetId)));
    if (mine.length === 0) return undefined;
    const src = (level: 'subnet' | 'nic'): NsgSource | undefined => {
      const b = mine.find((x) => x.level === level);
      return b === undefined ? undefined : { id: b.nsgId, name: nameOf(b.nsgId), rules: b.rules };
    };
    const s = src('subnet');
    const n = src('nic');
    return { ...(s !== undefined ? { subnet: s } : {}), ...(n !== undefined ? { nic: n } : {}) };
  }

  layersFor(p: Packet, opts: { readonly nic?: string; readonly side?: 'service' | 'client' }): AzureLayers {
    const notes: string[] = [];
    const src: Address = { family: p.family, value: p.src };
    const dst: Address = { family: p.family, value: p.dst };
    let nic = opts.nic !== undefined ? this.findNic(opts.nic) : undefined;
    if (opts.nic !== undefined && nic === undefined) return { layers: [], notes, errors: [`no NIC ${opts.nic} in the Azure exports (az network nic list)`] };
    nic ??= opts.side === 'client' ? this.nicWithAddress(src) : this.nicWithAddress(dst) ?? (opts.side === undefined ? this.nicWithAddress(src) : undefined);
    if (nic === undefined) return { layers: [], notes, errors: [`no NIC in the Azure exports has address ${formatAddress(opts.side === 'client' ? src : dst)}`] };
    const owns = (a: Address): boolean => nic.ipConfigs.some((c) => c.address?.family === a.family && c.address.value === a.value);
    const side = opts.side ?? (owns(src) && !owns(dst) ? 'client' : 'service');
    const protects = side === 'service' ? 'destination' : 'source';
    const eff = this.effectiveFor(nic);
    const subnetNsg = eff !== undefined ? eff.subnet : this.subnetNsg(nic);
    const nicNsg = eff !== undefined ? eff.nic : this.nicNsg(nic);
    if (eff !== undefined) notes.push(`effective rules of ${nic.name} (az network nic list-effective-nsg) used: service tags expanded by Azure`);
    const subnetName = this.subnetOf(nic)?.name ?? 'the subnet';
    if (subnetNsg === undefined) notes.push(`no NSG on ${subnetName}: that level allows everything`);
    if (nicNsg === undefined) notes.push(`no NSG on NIC ${nic.name}: that level allows everything`);
    const sub = subnetNsg === undefined ? undefined : this.conv.layer(subnetNsg, 'subnet', protects);
    const own = nicNsg === undefined ? undefined : this.conv.layer(nicNsg, 'nic', protects);
    const layers = side === 'service' ? [sub, own] : [own, sub];
    return { layers: layers.filter((l) => l !== undefined), notes, errors: [], nic };
  }
}
