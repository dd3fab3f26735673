// TCP tracking helper: growing a typed-array column (the change log keeps its records in columns
// that double when full; the segment store, far bigger, keeps fixed pages instead).

type NumberColumn = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** A column of the same kind as `a`, `length` long, starting with a copy of `a`. */
export function grown<T extends NumberColumn>(a: T, length: number): T {
  const b = new (a.constructor as new (length: number) => T)(length);
  b.set(a);
  return b;
}
