/** Diagnostics to standard error, with code frames. */
import { formatDiagnostic } from '../diagnostics/code-frame.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source.js';
import { pickStyle } from './style.js';

export interface DiagnosticCounts {
  readonly errors: number;
  readonly warnings: number;
}

/** Prints every diagnostic (errors and warnings; infos only when verbose) and returns the counts. */
export function reportDiagnostics(ds: readonly Diagnostic[], files: ReadonlyMap<string, SourceFile>, o: { color?: boolean; verbose?: boolean } = {}): DiagnosticCounts {
  const style = pickStyle(process.stderr, o.color);
  let errors = 0;
  let warnings = 0;
  for (const d of ds) {
    if (d.severity === 'error') errors++;
    if (d.severity === 'warning') warnings++;
    if (d.severity === 'info' && !o.verbose) continue;
    process.stderr.write(`${formatDiagnostic(d, files, style)}\n`);
  }
  if (errors > 0) {
    process.stderr.write(style.red(`${errors} error(s) in the input: rules that failed to parse are left out of the analysis; the rest is analysed.\n`));
  }
  return { errors, warnings };
}
