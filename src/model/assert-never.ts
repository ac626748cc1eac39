/** Exhaustiveness check for `switch (x.kind)` over a closed union. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
