/** Reading user files: plain or gzip-compressed, or standard input for '-'. I/O errors become messages. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export class InputError extends Error {
  override readonly name = 'InputError';
}

function decode(buf: Buffer, name: string): string {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf).toString('utf8');
    } catch (e) {
      throw new InputError(`${name}: looks like gzip but could not be decompressed (${(e as Error).message})`);
    }
  }
  return buf.toString('utf8');
}

/** Reads a file ('-' = standard input) as text, decompressing gzip. Throws InputError with a plain message. */
export function readInput(name: string): string {
  try {
    return decode(name === '-' ? readFileSync(0) : readFileSync(name), name);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new InputError(`cannot read ${name === '-' ? 'standard input' : name}: ${why}`);
  }
}
