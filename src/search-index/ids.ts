import type { IdLookup } from '../engine/docs'

/**
 * Article ids by internal number, read from `ids.json` (a JSON array of
 * strings) without making a string per id.
 *
 * Why: parsed whole, the array costs about 30 bytes of heap per id on top
 * of its text (a string header each, and the array's slot): about 6 MB at
 * 200,000 articles, a fifth of the 32 MB heap budget (issue 3). Here the
 * file's text is kept as one string, with the offset of each id's opening
 * quote (4 bytes each), and an id is cut from it when asked for: a page of
 * hits asks for ten, and a lookup by id (a binary search) for about 18.
 *
 * @example
 * ```ts
 * const ids = IdList.parse(new TextEncoder().encode('["a","b\\"c"]'))
 * ids.length // 2
 * ids.at(1) // 'b"c'
 * ```
 */
export class IdList implements IdLookup {
  readonly length: number

  private constructor(
    private readonly text: string,
    /** Offset in `text` of each id's opening quote. */
    private readonly starts: Uint32Array,
  ) {
    this.length = starts.length
  }

  /** Reads `ids.json`'s bytes; throws when they are not a JSON array of strings. */
  static parse(bytes: Uint8Array): IdList {
    const text = new TextDecoder().decode(bytes)
    const starts: number[] = []
    let pos = skipSpace(text, 0)
    if (text[pos] !== '[') throw new Error('ids.json is not a JSON array')
    pos = skipSpace(text, pos + 1)
    if (text[pos] === ']') return new IdList(text, new Uint32Array(0))
    for (;;) {
      if (text[pos] !== '"') throw new Error(`ids.json: expected a string at offset ${pos}`)
      starts.push(pos)
      pos = skipSpace(text, closingQuote(text, pos) + 1)
      if (text[pos] === ']') break
      if (text[pos] !== ',') throw new Error(`ids.json: expected , or ] at offset ${pos}`)
      pos = skipSpace(text, pos + 1)
    }
    if (skipSpace(text, pos + 1) !== text.length) throw new Error('ids.json: text after the array')
    return new IdList(text, Uint32Array.from(starts))
  }

  /** The id of article `n`; undefined outside 0 … length − 1 (as `Array.prototype.at` for n ≥ 0). */
  at(n: number): string | undefined {
    if (!(n >= 0 && n < this.length)) return undefined
    const open = this.starts[Math.floor(n)]!
    const close = closingQuote(this.text, open)
    const raw = this.text.slice(open + 1, close)
    // Only an id with an escape needs JSON's decoding.
    return raw.includes('\\') ? (JSON.parse(this.text.slice(open, close + 1)) as string) : raw
  }
}

/** The offset of the quote that closes the JSON string opened at `open`. */
function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1)
  while (close > 0 && escaped(text, close)) close = text.indexOf('"', close + 1)
  if (close < 0) throw new Error(`ids.json: unterminated string at offset ${open}`)
  return close
}

/** True when the character at `i` follows an odd run of backslashes. */
function escaped(text: string, i: number): boolean {
  let backslashes = 0
  while (text.charCodeAt(i - 1 - backslashes) === 0x5c) backslashes++
  return backslashes % 2 === 1
}

function skipSpace(text: string, pos: number): number {
  while (pos < text.length && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++
  return pos
}
