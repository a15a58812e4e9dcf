/**
 * Reading a file's bytes as text without losing anything silently.
 *
 * - A UTF-8 byte order mark is dropped.
 * - A NUL byte in the first 8 KiB marks a binary file: it is not text, and
 *   the caller rejects it whole instead of indexing garbage.
 * - Invalid UTF-8 is not replaced quietly: each line that fails strict
 *   decoding is listed with its line number and byte offset, so the caller
 *   can reject exactly the records that contain it.
 *
 * @example
 * ```ts
 * const decoded = decodeText(await readFile(path))
 * if (decoded.binaryAt !== undefined) reject(`binary file (NUL byte at offset ${decoded.binaryAt})`)
 * ```
 */

export interface DecodedText {
  /** The text (invalid sequences replaced by U+FFFD; see `invalidLines`). */
  text: string
  /** Offset of the first NUL byte when the file looks binary. */
  binaryAt?: number
  /** 1-based line number → byte offset in the file of the first invalid sequence on that line. */
  invalidLines: Map<number, number>
}

const BINARY_SNIFF_BYTES = 8192
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false })

export function decodeText(bytes: Uint8Array): DecodedText {
  const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0)
  if (nul >= 0) return { text: '', binaryAt: nul, invalidLines: new Map() }
  const invalidLines = new Map<number, number>()
  try {
    return { text: strict.decode(bytes), invalidLines }
  } catch {
    // Only now pay for a line-by-line pass, to say where the damage is.
    let line = 1
    let start = 0
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        const offset = firstInvalidOffset(bytes.subarray(start, i))
        if (offset !== undefined) invalidLines.set(line, start + offset)
        line++
        start = i + 1
      }
    }
    return { text: lenient.decode(bytes), invalidLines }
  }
}

/**
 * Offset of the first byte that makes strict UTF-8 decoding fail, or
 * undefined. A prefix that fails keeps failing when it grows (in streaming
 * mode an unfinished sequence at the end is not yet an error), so a binary
 * search over prefix lengths finds it.
 */
function firstInvalidOffset(line: Uint8Array): number | undefined {
  const fails = (end: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(line.subarray(0, end), { stream: end < line.length })
      return false
    } catch {
      return true
    }
  }
  if (!fails(line.length)) return undefined
  let low = 1
  let high = line.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (fails(mid)) high = mid
    else low = mid + 1
  }
  return low - 1
}
