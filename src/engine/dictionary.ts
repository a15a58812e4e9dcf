/**
 * The term dictionary of `terms.bin`, read in place: binary search for a
 * term, a prefix range, and a Levenshtein walk for fuzzy terms, all over
 * typed-array views, with no JS object per term.
 *
 * Terms are sorted by UTF-16 code units (the order of JS `<`), so a prefix is
 * a contiguous range and a term's extensions directly follow it.
 *
 * @example
 * ```ts
 * const dict = new Dictionary(termsBin)
 * const t = dict.find('oil') // term number, or -1
 * const [lo, hi] = dict.prefixRange('petro')
 * dict.fuzzy('crdue', 2, (t, distance) => { ... })
 * ```
 */
import { FORMAT_VERSION, TERMS_LAYOUT, TERMS_MAGIC } from '../index-format'

export class Dictionary {
  readonly termCount: number
  readonly fieldCount: number
  /** Term t is `chars[termStart[t] .. termStart[t + 1])`. */
  readonly termStart: Uint32Array
  /** Document frequency of (t, f) at `t * fieldCount + f`. */
  readonly df: Uint32Array
  /** Byte offset of the postings of (t, f) across all chunks; `postStart[T * F]` is the end. */
  readonly postStart: Uint32Array
  readonly chars: Uint16Array
  /** The fuzzy walk over the terms. */
  private readonly walk: SortedTerms

  constructor(bytes: Uint8Array) {
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice()
    const header = new Uint32Array(bytes.buffer, bytes.byteOffset, TERMS_LAYOUT.headerWords)
    if (header[0] !== TERMS_MAGIC) throw new Error(`terms.bin: not a term dictionary of format version ${FORMAT_VERSION}`)
    const T = header[1]!
    const F = header[2]!
    const C = header[3]!
    let offset = bytes.byteOffset + TERMS_LAYOUT.headerWords * 4
    const u32 = (count: number) => {
      const view = new Uint32Array(bytes.buffer, offset, count)
      offset += count * 4
      return view
    }
    this.termCount = T
    this.fieldCount = F
    this.termStart = u32(T + 1)
    this.df = u32(T * F)
    this.postStart = u32(T * F + 1)
    this.chars = new Uint16Array(bytes.buffer, offset, C)
    this.walk = new SortedTerms(this.chars, this.termStart, T)
    if (offset + C * 2 > bytes.byteOffset + bytes.byteLength) throw new Error('terms.bin: truncated')
  }

  /** The term as a string (allocates; for results and tests). */
  term(t: number): string {
    return String.fromCharCode(...this.chars.subarray(this.termStart[t]!, this.termStart[t + 1]!))
  }

  termLength(t: number): number {
    return this.termStart[t + 1]! - this.termStart[t]!
  }

  /** Sum of the document frequencies of t over the fields. */
  totalDf(t: number): number {
    let sum = 0
    for (let f = 0, base = t * this.fieldCount; f < this.fieldCount; f++) sum += this.df[base + f]!
    return sum
  }

  /** Compares term t with `key` (its first `keyLength` code units) by code units: <0, 0, >0. */
  private compare(t: number, key: string, keyLength: number): number {
    const start = this.termStart[t]!
    const length = this.termStart[t + 1]! - start
    const n = length < keyLength ? length : keyLength
    for (let i = 0; i < n; i++) {
      const diff = this.chars[start + i]! - key.charCodeAt(i)
      if (diff !== 0) return diff
    }
    return length - keyLength
  }

  /** The first term ≥ key. */
  lowerBound(key: string): number {
    let lo = 0
    let hi = this.termCount
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.compare(mid, key, key.length) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Term number of `key`, or -1. */
  find(key: string): number {
    const t = this.lowerBound(key)
    return t < this.termCount && this.compare(t, key, key.length) === 0 ? t : -1
  }

  /** Terms starting with `prefix` (the term itself included, if present): [lo, hi). */
  prefixRange(prefix: string): [number, number] {
    const lo = this.lowerBound(prefix)
    let hi = this.termCount
    let a = lo
    // First term at or after lo that does not start with prefix.
    while (a < hi) {
      const mid = (a + hi) >>> 1
      if (this.startsWith(mid, prefix, prefix.length)) a = mid + 1
      else hi = mid
    }
    return [lo, a]
  }

  private startsWith(t: number, key: string, keyLength: number): boolean {
    const start = this.termStart[t]!
    if (this.termStart[t + 1]! - start < keyLength) return false
    for (let i = 0; i < keyLength; i++) if (this.chars[start + i] !== key.charCodeAt(i)) return false
    return true
  }

  /**
   * Calls `visit(t, distance)` for every term within Levenshtein distance
   * `maxDistance` of `query` (the query itself included, distance 0), in
   * dictionary order, an edit of either first character costing
   * `firstEditCost`. See {@link SortedTerms.fuzzy}.
   */
  fuzzy(query: string, maxDistance: number, visit: (t: number, distance: number) => void, firstEditCost = 1): void {
    this.walk.fuzzy(query, maxDistance, visit, firstEditCost)
  }

}

/**
 * Terms in code-unit order, term i being `chars[start[i] .. start[i + 1])`,
 * and the Levenshtein walk over them. Shared by the dictionary (typo
 * expansion) and by `src/suggest/walk.ts` (its list of correction terms).
 */
export class SortedTerms {
  /** Reused Levenshtein matrix rows of the fuzzy walk, grown on demand. */
  private matrix = new Uint8Array(0)

  constructor(
    readonly chars: Uint16Array,
    readonly start: Uint32Array,
    readonly count: number,
  ) {}

  /** Whether term u starts with the first `length` code units at `chars[from]`. */
  private sharesPrefix(u: number, from: number, length: number): boolean {
    const s = this.start[u]!
    if (this.start[u + 1]! - s < length) return false
    for (let i = 0; i < length; i++) if (this.chars[s + i] !== this.chars[from + i]) return false
    return true
  }

  /**
   * First term after `t` whose first `length` code units differ from t's (all
   * of t's extensions skipped). Galloping, then binary search: the group is
   * usually small. (No closures here: bundlers that keep names wrap each one.)
   */
  private skipPrefix(t: number, length: number): number {
    const from = this.start[t]!
    let lo = t + 1
    let step = 1
    let hi = lo
    while (hi < this.count && this.sharesPrefix(hi, from, length)) {
      lo = hi + 1
      step *= 2
      hi = t + step
    }
    if (hi > this.count) hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.sharesPrefix(mid, from, length)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * Calls `visit(t, distance)` for every term within Levenshtein distance
   * `maxDistance` of `query` (the query itself included, distance 0), in
   * order.
   *
   * A walk over the sorted terms that keeps one DP row per term prefix:
   * consecutive terms share their common prefix's rows, and once every cell
   * of a row exceeds `maxDistance`, all terms with that prefix are skipped by
   * binary search. Terms longer than `query.length + maxDistance` never match.
   *
   * `firstEditCost` (default 1, plain Levenshtein): the cost of an edit that
   * touches the first character of the query or of the term (substituting,
   * deleting or inserting it). At 2, as Meilisearch counts a typo on the
   * first letter, a one-typo walk never leaves the query's first letter: the
   * walk prunes every other letter's terms at their first character, which
   * makes it about twenty times cheaper.
   */
  fuzzy(query: string, maxDistance: number, visit: (t: number, distance: number) => void, firstEditCost = 1): void {
    const n = query.length + 1
    const maxLength = query.length + maxDistance
    const rows = maxLength + 1
    if (this.matrix.length < rows * n) this.matrix = new Uint8Array(rows * n)
    const matrix = this.matrix
    const big = maxDistance + 1 > 255 ? 255 : maxDistance + 1
    // Row 0: inserting the query's first j characters, the first at firstEditCost.
    matrix[0] = 0
    for (let j = 1; j < n; j++) matrix[j] = j - 1 + firstEditCost < big ? j - 1 + firstEditCost : big
    const { chars, start: termStart } = this
    const codes = new Uint16Array(n)
    for (let j = 1; j < n; j++) codes[j] = query.charCodeAt(j - 1)
    // Rows valid for the previous term: rows 0..valid, for its first `valid` code units.
    let valid = 0
    let prevStart = 0
    let t = 0
    while (t < this.count) {
      const start = termStart[t]!
      const length = termStart[t + 1]! - start
      // Rows shared with the previous term.
      let common = 0
      const limit = Math.min(valid, length)
      while (common < limit && chars[start + common] === chars[prevStart + common]) common++
      let i = common
      let pruned = -1
      const depth = length < maxLength ? length : maxLength
      for (; i < depth; i++) {
        const char = chars[start + i]!
        const row = (i + 1) * n
        const prev = i * n
        // Deleting the term's first i + 1 characters, the first at firstEditCost.
        let first = i + firstEditCost
        if (first > big) first = big
        // Edits of the term's first character cost firstEditCost; of the query's, see j === 1 below.
        const edit = i === 0 ? firstEditCost : 1
        matrix[row] = first
        let min = first
        // Only the band |i + 1 - j| ≤ maxDistance can hold a distance within
        // reach (Ukkonen); the cells just outside it are set to `big` for the
        // next row and this row's first cell to read.
        const from = i + 1 - maxDistance > 1 ? i + 1 - maxDistance : 1
        const to = i + 1 + maxDistance < n - 1 ? i + 1 + maxDistance : n - 1
        if (from > 1) matrix[row + from - 1] = big
        if (to + 1 < n) matrix[row + to + 1] = big
        for (let j = from; j <= to; j++) {
          const rpl = matrix[prev + j - 1]! + (char === codes[j] ? 0 : j === 1 ? firstEditCost : edit)
          const del = matrix[prev + j]! + edit
          const ins = matrix[row + j - 1]! + (j === 1 ? firstEditCost : 1)
          let d = rpl < del ? rpl : del
          if (ins < d) d = ins
          if (d > big) d = big
          matrix[row + j] = d
          if (d < min) min = d
        }
        if (min > maxDistance) {
          pruned = i + 1
          break
        }
      }
      valid = i
      prevStart = start
      if (pruned >= 0) {
        // No term starting with these `pruned` code units can match.
        valid = pruned - 1
        t = this.skipPrefix(t, pruned)
        continue
      }
      if (length > maxLength) {
        // This term and its extensions are too long.
        t = this.skipPrefix(t, maxLength + 1 <= length ? maxLength + 1 : length)
        continue
      }
      // Outside the band (lengths too far apart) the last cell was not computed.
      const distance = length - query.length <= maxDistance && query.length - length <= maxDistance ? matrix[length * n + n - 1]! : big
      if (distance <= maxDistance) visit(t, distance)
      t++
    }
  }
}
