/** Helpers for tests of this dialect (kept out of the test files so that importing them runs no test). */
import type { Ruleset } from '../../model/ruleset.js';

/** The model as comparable JSON (bigints as strings); origins left out when `withOrigins` is false. */
export function modelJson(rs: Ruleset, withOrigins = true): string {
  return JSON.stringify(rs, (k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (!withOrigins && k === 'origin') return undefined;
    return v;
  });
}
