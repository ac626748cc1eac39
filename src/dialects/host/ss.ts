/**
 * `ss -Htlnup` (listening TCP and bound UDP sockets, numeric, with processes, no header).
 * Addresses: `0.0.0.0:22`, `127.0.0.1:631`, `[::]:22` (IPv6 only), `*:22` (IPv6 socket that also
 * takes IPv4), `127.0.0.53%lo:53` (bound to a device), `[::ffff:198.18.0.1]:80`.
 */
import { type Diagnostic, type Parsed, error } from '../../diagnostics/diagnostic.js';
import { type SourceFile, lineSpan, lineText } from '../../diagnostics/source.js';
import { parseAddress } from '../../model/address.js';
import type { ListeningSocket } from '../../model/host.js';

const CODE = 'host/ss';
const STATES = new Set(['LISTEN', 'UNCONN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'TIME-WAIT', 'CLOSE-WAIT', 'FIN-WAIT-1', 'FIN-WAIT-2', 'LAST-ACK', 'CLOSING', 'CLOSED']);

interface Local {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: bigint;
  readonly wildcard: boolean;
  readonly port: number;
  readonly device?: string;
  readonly v6only?: boolean;
}

function readLocal(text: string): Local | string {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return `expected ADDRESS:PORT, got '${text}'`;
  const portText = text.slice(colon + 1);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) return `expected a port in 0-65535 after ':', got '${portText}'`;
  const port = Number(portText);
  let host = text.slice(0, colon);
  let device: string | undefined;
  const pct = host.lastIndexOf('%');
  if (pct >= 0 && !host.endsWith(']')) {
    device = host.slice(pct + 1);
    host = host.slice(0, pct);
  }
  const dev = device === undefined ? {} : { device };
  if (host === '*') return { family: 'ipv6', address: 0n, wildcard: true, port, v6only: false, ...dev };
  if (host.startsWith('[') && host.endsWith(']')) {
    let inner = host.slice(1, -1);
    const p = inner.indexOf('%');
    if (p >= 0) { device ??= inner.slice(p + 1); inner = inner.slice(0, p); }
    const a = parseAddress(inner);
    if (a === undefined || a.family !== 'ipv6') return `expected an IPv6 address in brackets, got '${host}'`;
    return { family: 'ipv6', address: a.value, wildcard: a.value === 0n, port, ...(a.value === 0n ? { v6only: true } : {}), ...(device !== undefined ? { device } : {}) };
  }
  const a = parseAddress(host);
  if (a === undefined) return `expected an IP address, '*' or '[IPv6]' before the port, got '${host}'`;
  return { family: a.family, address: a.value, wildcard: a.value === 0n, port, ...dev };
}

/** `users:(("sshd",pid=812,fd=3),…)` → first process name and pid. */
function readProcess(text: string): { process?: string; pid?: number } {
  const m = /users:\(\("([^"]*)",pid=(\d+)/.exec(text);
  return m ? { process: m[1] as string, pid: Number(m[2]) } : {};
}

export function parseSs(file: SourceFile): Parsed<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  const diags: Diagnostic[] = [];
  for (let n = 1; n <= file.lineStarts.length; n++) {
    const line = lineText(file, n);
    if (line.trim() === '') continue;
    const words = line.trim().split(/\s+/);
    const col = (w: string): number => line.indexOf(w) + 1;
    if (words[0] === 'Netid' || words[0] === 'State') continue; // a header line (ss without -H)
    let i = 0;
    let netid: string | undefined;
    if (!STATES.has(words[0] as string)) netid = words[i++];
    const state = words[i];
    if (state === undefined || !STATES.has(state)) {
      diags.push(error(CODE, `expected a socket state (LISTEN, UNCONN, …) as ${netid === undefined ? 'the first' : 'the second'} column, got '${state ?? ''}'`, lineSpan(file.name, n, state ? col(state) : 1, state?.length ?? 1)));
      continue;
    }
    netid ??= state === 'UNCONN' ? 'udp' : 'tcp';
    if (netid !== 'tcp' && netid !== 'udp') continue; // raw, sctp, unix sockets: not modelled
    if (state !== 'LISTEN' && state !== 'UNCONN') continue; // established sockets do not accept new flows
    const localText = words[i + 3];
    if (localText === undefined) {
      diags.push(error(CODE, 'expected Recv-Q, Send-Q and the local ADDRESS:PORT after the state, got the end of the line', lineSpan(file.name, n, line.length + 1, 1)));
      continue;
    }
    const local = readLocal(localText);
    if (typeof local === 'string') {
      diags.push(error(CODE, local, lineSpan(file.name, n, col(localText), localText.length)));
      continue;
    }
    out.push({
      protocol: netid, ...local, ...readProcess(line),
      origin: { dialect: 'ss', file: file.name, line: n, column: 1, text: line.trim(), native: {} },
    });
  }
  return { value: out, diagnostics: diags };
}
