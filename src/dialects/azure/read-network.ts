/** `az network nic list`, `az network vnet subnet list`, `az network vnet list`, `az network list-service-tags`. */
import { type Cidr, parseAddress, parseCidr } from '../../model/address.js';
import { type Fields, type JNode, field, isObject, locate } from '../scenario/json-doc.js';
import { propsOf } from './read-nsg.js';
import { type AzSubnet, type Nic, type NicIpConfig, type Vnet, nameOf } from './syntax.js';

function refId(f: Fields, n: JNode, key: string): string | undefined {
  const r = field(n, key);
  return r !== undefined && isObject(r.value) ? f.str(r, 'id') : undefined;
}

function list(f: Fields, root: JNode, what: string): JNode[] {
  return Array.isArray(root.value) ? f.array(root, what) : [root];
}

function cidrs(f: Fields, n: JNode, keys: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const k of keys) {
    const node = field(n, k);
    const texts = node === undefined || node.value === null ? [] : typeof node.value === 'string' ? [node.value] : f.strings(n, k);
    for (const t of texts) {
      const c = parseCidr(t);
      if (c === undefined) f.error('bad-cidr', node as JNode, `expected a CIDR, got "${t}"`);
      else out.push(c);
    }
  }
  return out;
}

export function readNics(f: Fields, root: JNode, out: Nic[]): void {
  for (const n of list(f, root, 'network interfaces')) {
    if (f.object(n, 'a network interface') === undefined) continue;
    const p = propsOf(n);
    const id = f.str(n, 'id') ?? f.str(n, 'name', true);
    if (id === undefined) continue;
    const ipConfigs: NicIpConfig[] = [];
    for (const c of f.array(field(p, 'ipConfigurations'), 'ipConfigurations')) {
      const cp = propsOf(c);
      const text = f.str(cp, 'privateIPAddress') ?? f.str(cp, 'privateIpAddress');
      const address = text === undefined ? undefined : parseAddress(text);
      if (text !== undefined && address === undefined) f.error('bad-address', c, `expected an IP address in privateIPAddress, got "${text}"`);
      const asgIds: string[] = [];
      for (const a of f.array(field(cp, 'applicationSecurityGroups'), 'applicationSecurityGroups')) {
        const aid = f.str(a, 'id');
        if (aid !== undefined) asgIds.push(aid);
      }
      const subnetId = refId(f, cp, 'subnet');
      ipConfigs.push({ asgIds, ...(address !== undefined ? { address } : {}), ...(subnetId !== undefined ? { subnetId } : {}) });
    }
    const nsgId = refId(f, p, 'networkSecurityGroup');
    out.push({ id, name: f.str(n, 'name') ?? nameOf(id), ipConfigs, at: locate(n), ...(nsgId !== undefined ? { nsgId } : {}) });
  }
}

export function readSubnets(f: Fields, root: JNode, out: AzSubnet[]): void {
  for (const s of list(f, root, 'subnets')) {
    if (f.object(s, 'a subnet') === undefined) continue;
    const p = propsOf(s);
    const id = f.str(s, 'id') ?? f.str(s, 'name', true);
    if (id === undefined) continue;
    const nsgId = refId(f, p, 'networkSecurityGroup');
    out.push({ id, name: f.str(s, 'name') ?? nameOf(id), prefixes: cidrs(f, p, ['addressPrefix', 'addressPrefixes']), at: locate(s), ...(nsgId !== undefined ? { nsgId } : {}) });
  }
}

export function readVnets(f: Fields, root: JNode, out: Vnet[]): void {
  for (const v of list(f, root, 'virtual networks')) {
    if (f.object(v, 'a virtual network') === undefined) continue;
    const p = propsOf(v);
    const id = f.str(v, 'id') ?? f.str(v, 'name', true);
    if (id === undefined) continue;
    const space = field(p, 'addressSpace');
    const prefixes = space !== undefined && isObject(space.value) ? cidrs(f, space, ['addressPrefixes']) : [];
    out.push({ id, name: f.str(v, 'name') ?? nameOf(id), prefixes });
  }
}

/** Service tag names as rules spell them, folded: classic `VIRTUAL_NETWORK` = `VirtualNetwork`. */
export function tagKey(name: string): string {
  const k = name.toLowerCase().replace(/_/g, '');
  return k === 'azureloadbalancer' ? 'azureloadbalancer' : k;
}

export function readServiceTags(f: Fields, root: JNode, out: Map<string, Cidr[]>): void {
  for (const t of f.array(field(root, 'values'), 'values')) {
    if (f.object(t, 'a service tag') === undefined) continue;
    const name = f.str(t, 'name', true);
    const p = field(t, 'properties');
    if (name === undefined || p === undefined || !isObject(p.value)) continue;
    const key = tagKey(name);
    out.set(key, [...(out.get(key) ?? []), ...cidrs(f, p, ['addressPrefixes'])]);
  }
}

export { locate };
