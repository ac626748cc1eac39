/** Every dialect fwdoctor reads, as plain data: one row per dialect, tried in order by detection. */
import type { AnyDialect } from './dialect.js';
import { iptablesDialect } from './iptables/index.js';
import { nftablesDialect } from './nftables/index.js';

export const DIALECTS: readonly AnyDialect[] = [
  iptablesDialect as AnyDialect,
  nftablesDialect as AnyDialect,
];

/** The first dialect that recognises the text (and file name), or undefined. */
export function detectDialect(text: string, fileName?: string): AnyDialect | undefined {
  return DIALECTS.find((d) => d.detect(text, fileName));
}
