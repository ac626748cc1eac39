/** From `--to ADDR:PORT [--from ADDR] [--proto P]` to the packets `diagnose` simulates. */
import { formatValue, parseAddress } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import { packetFromText } from '../../model/packet-input.js';
import type { Path } from '../../model/path.js';
import { diagnose, otherFamilyAddress } from './diagnose.js';
import type { Diagnosis, Symptom } from './types.js';

/** Default client: an address of the benchmarking ranges that no snapshot owns. */
export const DEFAULT_CLIENT = { ipv4: '198.18.200.7', ipv6: 'fd00:f00d:ffff::7' } as const;

export interface TargetSpec {
  readonly to: string;
  readonly from?: string;
  readonly proto?: string;
  readonly iif?: string;
  readonly symptom?: Symptom;
}

export interface TargetDiagnosis {
  readonly flowText: string;
  readonly diagnosis: Diagnosis;
}

function splitTarget(to: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(to);
  if (v6) return { host: v6[1] as string, ...(v6[2] !== undefined ? { port: v6[2] } : {}) };
  const i = to.lastIndexOf(':');
  if (i > 0 && to.indexOf(':') === i) return { host: to.slice(0, i), port: to.slice(i + 1) };
  return { host: to };
}

function hostPort(family: 'ipv4' | 'ipv6', a: string, port: string | undefined): string {
  return (family === 'ipv6' ? `[${a}]` : a) + (port !== undefined ? `:${port}` : '');
}

export function diagnoseTarget(path: Path, spec: TargetSpec): TargetDiagnosis | { errors: string[] } {
  const t = splitTarget(spec.to);
  const dst = parseAddress(t.host);
  if (dst === undefined) return { errors: [`--to: expected ADDRESS[:PORT] (IPv6 in brackets), got '${spec.to}'`] };
  const proto = spec.proto ?? 'tcp';
  const ported = proto === 'tcp' || proto === 'udp';
  const port = ported ? t.port ?? '80' : undefined;
  const from = spec.from ?? DEFAULT_CLIENT[dst.family];
  const flowText = `${proto} ${hostPort(dst.family, from, ported ? '40000' : undefined)} -> ${hostPort(dst.family, t.host, port)}`;
  const parsed = packetFromText(flowText, spec.iif !== undefined ? { iif: spec.iif } : {});
  if (parsed.packet === undefined) return { errors: [...parsed.errors] };
  let other: Packet | undefined;
  const last = path.layers[path.layers.length - 1];
  if (last?.kind === 'host' && ported) {
    const a = otherFamilyAddress(last.host, parsed.packet);
    if (a !== undefined) {
      const fam = dst.family === 'ipv4' ? 'ipv6' : 'ipv4';
      other = packetFromText(`${proto} ${hostPort(fam, DEFAULT_CLIENT[fam], '40000')} -> ${hostPort(fam, formatValue(fam, a), port)}`).packet;
    }
  }
  const diagnosis = diagnose({ path, packet: parsed.packet, ...(spec.symptom !== undefined ? { symptom: spec.symptom } : {}), ...(other !== undefined ? { otherFamily: other } : {}) });
  return { flowText, diagnosis };
}
