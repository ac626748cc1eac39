import { describe, expect, it } from 'vitest';
import { TCP_FLAGS } from '../../model/packet.js';
import { deriveCtState, deriveTcpState, effectiveCtState, effectiveCtStatus } from './ctstate.js';
import { pkt } from './testing.js';

const { F, S, R, P, A, U, E, C } = TCP_FLAGS;

describe('deriveCtState: TCP first packets', () => {
  it.each([
    ['SYN', S, 'new'], ['SYN+URG', S | U, 'new'], ['SYN+ECE+CWR', S | E | C, 'new'], ['SYN+PSH', S | P, 'new'],
    ['ACK (loose pickup)', A, 'new'], ['PSH+ACK', P | A, 'new'], ['ACK+URG', A | U, 'new'],
    ['SYN+ACK', S | A, 'invalid'], ['FIN+ACK', F | A, 'invalid'], ['RST', R, 'invalid'], ['RST+ACK', R | A, 'invalid'],
    ['no flags', 0, 'invalid'], ['FIN alone', F, 'invalid'], ['SYN+FIN', S | F, 'invalid'], ['SYN+RST', S | R, 'invalid'],
    ['FIN+PSH+URG (xmas)', F | P | U, 'invalid'], ['URG alone', U, 'invalid'],
  ] as const)('%s → %s', (_name, flags, state) => {
    expect(deriveTcpState(flags).state).toBe(state);
  });
});

describe('deriveCtState: ICMP, ICMPv6 and others', () => {
  it.each([
    [8, 'new'], [13, 'new'], [15, 'new'], [17, 'new'],
    [0, 'invalid'], [14, 'invalid'], [3, 'invalid'], [11, 'invalid'], [4, 'invalid'], [5, 'invalid'], [12, 'invalid'],
  ] as const)('ICMP type %i → %s', (type, state) => {
    expect(deriveCtState(pkt(`icmp 198.18.0.5 -> 198.19.0.2 type ${type}`))).toBe(state);
  });

  it.each([
    [128, 'new'], [139, 'new'], [129, 'invalid'], [1, 'invalid'], [2, 'invalid'], [3, 'invalid'], [4, 'invalid'],
    [130, 'untracked'], [133, 'untracked'], [135, 'untracked'], [136, 'untracked'], [143, 'untracked'], [151, 'untracked'], [152, 'untracked'], [137, 'invalid'], [150, 'invalid'], [153, 'invalid'],
  ] as const)('ICMPv6 type %i → %s', (type, state) => {
    expect(deriveCtState(pkt(`icmpv6 fd00:f00d::5 -> fd00:f00d::1 type ${type}`))).toBe(state);
  });

  it('UDP and other protocols open a new connection', () => {
    expect(deriveCtState(pkt('udp 198.18.0.5:5353 -> 198.19.0.2:53'))).toBe('new');
    expect(deriveCtState(pkt('gre 198.18.0.5 -> 198.19.0.2'))).toBe('new');
  });

  it('a given state wins over derivation', () => {
    const p = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags A state established');
    expect(effectiveCtState(p)).toEqual({ state: 'established', derived: false });
    expect(effectiveCtState(pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags SA'))).toEqual({ state: 'invalid', derived: true });
  });

  it('default status bits follow the state', () => {
    const p = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22');
    expect(effectiveCtStatus(p, 'new')).toEqual([]);
    expect(effectiveCtStatus(p, 'established')).toEqual(['confirmed', 'seen-reply']);
    expect(effectiveCtStatus({ ...p, ctstatus: ['assured'] }, 'established')).toEqual(['assured']);
  });
});
