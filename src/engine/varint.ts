/**
 * LEB128 unsigned varints, the integer encoding of the postings: 7 bits per
 * byte, low bits first, high bit set on every byte but the last.
 *
 * @example
 * ```ts
 * const bytes = encodeVarints([0, 127, 128, 300]) // 00 7f 80 01 ac 02
 * decodeVarints(bytes) // [0, 127, 128, 300]
 * ```
 */

/** Appends `value` (an integer in [0, 2^32)) to `out`. */
export function pushVarint(out: number[], value: number): void {
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80)
    value = Math.floor(value / 128)
  }
  out.push(value)
}

export function encodeVarints(values: readonly number[]): Uint8Array {
  const out: number[] = []
  for (const value of values) pushVarint(out, value)
  return Uint8Array.from(out)
}

/** Decodes every varint of `bytes[start, end)`. For tests and tools; the engine decodes inline. */
export function decodeVarints(bytes: Uint8Array, start = 0, end = bytes.length): number[] {
  const values: number[] = []
  let pos = start
  while (pos < end) {
    let value = 0
    let shift = 1
    let byte: number
    do {
      if (pos >= end) throw new RangeError('truncated varint')
      byte = bytes[pos++]!
      value += (byte & 0x7f) * shift
      shift *= 128
    } while (byte & 0x80)
    values.push(value)
  }
  return values
}
