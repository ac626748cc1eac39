/** Terminal colours: on for a TTY unless NO_COLOR is set or --no-color given; FORCE_COLOR forces them. */
import pc from 'picocolors';
import type { FrameStyle } from '../diagnostics/code-frame.js';

export interface Style extends FrameStyle {
  readonly green: (s: string) => string;
  readonly magenta: (s: string) => string;
  readonly inverse: (s: string) => string;
}

const plain = (s: string): string => s;

export const PLAIN_STYLE: Style = {
  red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain, green: plain, magenta: plain, inverse: plain,
};

export const COLOR_STYLE: Style = {
  red: pc.red, yellow: pc.yellow, cyan: pc.cyan, dim: pc.dim, bold: pc.bold, green: pc.green, magenta: pc.magenta,
  inverse: pc.inverse,
};

export function pickStyle(stream: NodeJS.WriteStream, wanted: boolean | undefined): Style {
  if (wanted === false || process.env.NO_COLOR !== undefined) return PLAIN_STYLE;
  if (wanted === true || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0')) return COLOR_STYLE;
  return stream.isTTY ? COLOR_STYLE : PLAIN_STYLE;
}
