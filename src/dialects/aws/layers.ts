/**
 * The AWS layers in front of one network interface, for one flow, client side first:
 * service side: NACL (inbound) → security groups; client side: security groups → NACL.
 * The NACL is evaluated only when the other end of the flow is outside the interface's subnet
 * ("when traffic enters and leaves the subnet, not as it is routed within a subnet").
 */
import { type Address, addressIn, formatAddress } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import type { FilterLayer } from '../../model/path.js';
import { cidrSets } from '../scenario/cloud-match.js';
import { NaclConverter } from './convert-nacl.js';
import { SgConverter } from './convert-sg.js';
import type { AwsInventory, Eni, Nacl } from './syntax.js';

export interface AwsLayers {
  readonly layers: readonly FilterLayer[];
  readonly notes: readonly string[];
  readonly errors: readonly string[];
  readonly eni?: Eni;
  /** The flow was addressed to the interface's public address: AWS translates it to this private one. */
  readonly translate?: { readonly from: Address; readonly to: Address };
}

export class AwsModel {
  readonly sg: SgConverter;
  readonly nacl = new NaclConverter();

  constructor(readonly inv: AwsInventory) {
    this.sg = new SgConverter(inv);
  }

  findEni(idOrInstance: string): Eni | undefined {
    return this.inv.enis.find((e) => e.id === idOrInstance || e.instanceId === idOrInstance);
  }

  eniWithAddress(a: Address, withPublic: boolean): Eni | undefined {
    const same = (x: Address): boolean => x.family === a.family && x.value === a.value;
    return this.inv.enis.find((e) => e.privateAddresses.some(same) || (withPublic && e.publicAddresses.some(same)));
  }

  naclOf(eni: Eni): Nacl | undefined {
    if (eni.subnetId === undefined) return undefined;
    return this.inv.nacls.find((n) => n.subnetIds.includes(eni.subnetId as string))
      ?? this.inv.nacls.find((n) => n.isDefault && n.vpcId !== undefined && n.vpcId === eni.vpcId);
  }

  /** Is `peer` inside the interface's subnet? undefined when the subnet's CIDRs are unknown. */
  sameSubnet(eni: Eni, peer: Address): boolean | undefined {
    const s = eni.subnetId === undefined ? undefined : this.inv.subnets.get(eni.subnetId);
    if (s === undefined) return undefined;
    return cidrSets(s.cidrs).some((set) => addressIn(set, peer));
  }

  layersFor(p: Packet, opts: { readonly eni?: string; readonly side?: 'service' | 'client' }): AwsLayers {
    const notes: string[] = [];
    const dst: Address = { family: p.family, value: p.dst };
    const src: Address = { family: p.family, value: p.src };
    let eni = opts.eni !== undefined ? this.findEni(opts.eni) : undefined;
    if (opts.eni !== undefined && eni === undefined) return { layers: [], notes, errors: [`no network interface or instance ${opts.eni} in the AWS exports (describe-network-interfaces)`] };
    let side = opts.side;
    if (eni === undefined) {
      eni = side === 'client' ? this.eniWithAddress(src, false) : this.eniWithAddress(dst, true) ?? (side === undefined ? this.eniWithAddress(src, false) : undefined);
      if (eni === undefined) return { layers: [], notes, errors: [`no network interface in the AWS exports has address ${formatAddress(side === 'client' ? src : dst)}`] };
    }
    const owns = (a: Address): boolean => eni.privateAddresses.some((x) => x.family === a.family && x.value === a.value);
    const ownsPublic = eni.publicAddresses.some((x) => x.family === dst.family && x.value === dst.value);
    side ??= owns(src) && !owns(dst) && !ownsPublic ? 'client' : 'service';
    let translate: AwsLayers['translate'];
    if (side === 'service' && ownsPublic) {
      const priv = eni.privateAddresses.find((x) => x.family === dst.family);
      if (priv !== undefined) {
        translate = { from: dst, to: priv };
        notes.push(`${formatAddress(dst)} is the public address of ${eni.id}: AWS translates it to ${formatAddress(priv)} before the security groups see the packet (traced with the private address)`);
      }
    }
    const protects = side === 'service' ? 'destination' : 'source';
    const sgLayer = this.sg.eniLayer(eni, protects);
    const peer = side === 'service' ? src : dst;
    const nacl = this.naclOf(eni);
    let naclLayer: FilterLayer | undefined;
    if (nacl === undefined) {
      notes.push(`no network ACL found for ${eni.subnetId ?? 'the subnet of'} ${eni.id} (give aws ec2 describe-network-acls): NACL not evaluated`);
    } else {
      const inside = this.sameSubnet(eni, peer);
      if (inside === true) notes.push(`${nacl.id} not evaluated: ${formatAddress(peer)} is inside ${eni.subnetId ?? 'the subnet'}; network ACLs filter only traffic entering or leaving the subnet`);
      else {
        if (inside === undefined) notes.push(`CIDR of ${eni.subnetId ?? 'the subnet'} unknown (give aws ec2 describe-subnets): ${nacl.id} evaluated as for traffic crossing the subnet boundary`);
        naclLayer = this.nacl.layer(nacl, protects);
      }
    }
    const layers = side === 'service' ? [naclLayer, sgLayer] : [sgLayer, naclLayer];
    return { layers: layers.filter((l) => l !== undefined), notes, errors: [], eni, ...(translate !== undefined ? { translate } : {}) };
  }
}
