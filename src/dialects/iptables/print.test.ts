/**
 * Printing real dumps: canonical iptables-save output must come back byte for byte, and for any
 * dump parse(print(parse(x))) must equal parse(x). Uses ../shared/corpus (skipped when absent).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { loadIptables, parseIptablesSave, printIptablesSave } from './index.js';
import { modelJson } from './testing.js';

/** net-network dumps written by iptables-save in its modern canonical form (iptables ≥ 1.4). */
const CANONICAL_NET_NETWORK = [
  'config_kornwall__iptables-save',
  'config_memphis_testbed__iptables-save',
  'config_random_srv__iptables-save',
  'configs_corny_docker__dfwfw__dockermynet.dfwfw',
  'configs_corny_docker__iptables-save.topos4.1',
  'configs_ipv6_server__nat64-router-userspace',
  'configs_medium-sized-company__iptables-save.iptables_mainfw_31.01.2016',
  'configs_psa__2016__iptables-save.2016-07-07',
  'configs_psa__team_a__iptables-save.2016-03-02',
  'configs_psa__team_b__iptables-save.2015-11-19',
  'configs_serverfault__758088.txt',
  'configs_sqrl_shorewall__2014_sep_iptables-saveakachan',
  'configs_srvs_ufw__server1-iptables-save',
  'configs_synology_diskstation_ds414__iptables-save_jun_2015',
  'configs_tails_os__2015-aug-tails-i386-1.5-iptables-save',
  'examples_ferm__dmz_router.ferm.iptables-save',
  'found_online__linuxforum.ru__iptables-save',
  'found_online__solaris.unsoft.hu__iptables-save.txt',
];

function normalised(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

describe.skipIf(!hasCorpus)('printing iptables-save dumps', () => {
  const dumps = corpusPath('iptables-tests/dumps');
  const net = corpusPath('net-network');

  it.skipIf(dumps === undefined)('reproduces the iptables test-suite dumps byte for byte', () => {
    const files = readdirSync(dumps as string).filter((f) => !f.includes('nft-native'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const text = readFileSync(join(dumps as string, f), 'utf8');
      const p = parseIptablesSave(text, f);
      expect(p.diagnostics.filter((d) => d.severity === 'error'), f).toEqual([]);
      expect(printIptablesSave(p.value), f).toBe(normalised(text));
    }
  });

  it.skipIf(net === undefined)('reproduces canonical net-network dumps byte for byte', () => {
    for (const f of CANONICAL_NET_NETWORK) {
      const text = readFileSync(join(net as string, f), 'utf8');
      const p = parseIptablesSave(text, f);
      expect(p.diagnostics.filter((d) => d.severity === 'error'), f).toEqual([]);
      expect(printIptablesSave(p.value), f).toBe(normalised(text));
    }
  });

  it.skipIf(net === undefined)('parse(print(parse(x))) equals parse(x) for every error-free net-network dump', () => {
    const files = readdirSync(net as string).filter((f) => /^\*(filter|nat|mangle|raw)\s*$/m.test(readFileSync(join(net as string, f), 'utf8')));
    let checked = 0;
    for (const f of files) {
      const first = loadIptables(readFileSync(join(net as string, f), 'utf8'), f);
      if (first.diagnostics.some((d) => d.severity === 'error')) continue;
      const printed = printIptablesSave(first.syntax);
      const second = loadIptables(printed, f);
      expect(second.diagnostics.filter((d) => d.severity === 'error'), f).toEqual([]);
      expect(printIptablesSave(second.syntax), f).toBe(printed);
      expect(modelJson(second.ruleset, false), f).toBe(modelJson(first.ruleset, false));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(40);
  });
});
