/**
 * The terms worth offering as corrections — in at least `minDf` documents,
 * no digits — copied out of the dictionary once, with the same sorted
 * Levenshtein walk as `Dictionary.fuzzy` (`src/engine/dictionary.ts`) over
 * them. On Reuters that is 15k of 65k terms, so a walk costs about a quarter
 * of one over the whole dictionary; most of the rest are numbers and typos.
 *
 * Terms are in dictionary order (UTF-16 code units), so consecutive terms
 * share their common prefix's DP rows, and a prefix whose row exceeds the
 * distance is skipped whole.
 *
 * @example
 * ```ts
 * const list = CorrectionList.from(dictionary, (t) => vocabulary.textDf(t) >= 3)
 * list.fuzzy('cocao', 2, (t, distance) => ...) // t: term number in the dictionary
 * ```
 */
import type { Dictionary } from '../engine'

export class CorrectionList {
  /** Dictionary term number of each listed term. */
  readonly terms: Int32Array
  /** Listed term i is `chars[start[i] .. start[i + 1])`. */
  readonly start: Uint32Array
  readonly chars: Uint16Array
  private matrix = new Uint8Array(0)

  private constructor(terms: Int32Array, start: Uint32Array, chars: Uint16Array) {
    this.terms = terms
    this.start = start
    this.chars = chars
  }

  /** The dictionary's terms that pass `keep` and hold no digit, in dictionary order. */
  static from(dictionary: Dictionary, keep: (t: number) => boolean): CorrectionList {
    const picked: number[] = []
    let size = 0
    const { termStart, chars } = dictionary
    for (let t = 0; t < dictionary.termCount; t++) {
      let digit = false
      for (let i = termStart[t]!; i < termStart[t + 1]!; i++) {
        const c = chars[i]!
        if (c >= 48 && c <= 57) {
          digit = true
          break
        }
      }
      if (digit || !keep(t)) continue
      picked.push(t)
      size += termStart[t + 1]! - termStart[t]!
    }
    const terms = Int32Array.from(picked)
    const start = new Uint32Array(terms.length + 1)
    const out = new Uint16Array(size)
    let at = 0
    terms.forEach((t, i) => {
      start[i] = at
      out.set(chars.subarray(termStart[t]!, termStart[t + 1]!), at)
      at += termStart[t + 1]! - termStart[t]!
    })
    start[terms.length] = at
    return new CorrectionList(terms, start, out)
  }

  get length(): number {
    return this.terms.length
  }

  /** Whether listed term u starts with the `length` code units at `chars[from]`. */
  private sharesPrefix(u: number, from: number, length: number): boolean {
    const s = this.start[u]!
    if (this.start[u + 1]! - s < length) return false
    for (let i = 0; i < length; i++) if (this.chars[s + i] !== this.chars[from + i]) return false
    return true
  }

  /** First listed term after i whose first `length` code units differ from i's. */
  private skipPrefix(i: number, length: number): number {
    const from = this.start[i]!
    const count = this.terms.length
    let lo = i + 1
    let step = 1
    let hi = lo
    while (hi < count && this.sharesPrefix(hi, from, length)) {
      lo = hi + 1
      step *= 2
      hi = i + step
    }
    if (hi > count) hi = count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.sharesPrefix(mid, from, length)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Calls `visit(dictionary term number, distance)` for every listed term within Levenshtein `maxDistance` of `query`. */
  fuzzy(query: string, maxDistance: number, visit: (t: number, distance: number) => void): void {
    const n = query.length + 1
    const maxLength = query.length + maxDistance
    const rows = maxLength + 1
    if (this.matrix.length < rows * n) this.matrix = new Uint8Array(rows * n)
    const matrix = this.matrix
    const big = maxDistance + 1 > 255 ? 255 : maxDistance + 1
    for (let j = 0; j < n; j++) matrix[j] = j < big ? j : big
    const { chars, start: termStart } = this
    const codes = new Uint16Array(n)
    for (let j = 1; j < n; j++) codes[j] = query.charCodeAt(j - 1)
    const count = this.terms.length
    let valid = 0
    let prevStart = 0
    let i = 0
    while (i < count) {
      const start = termStart[i]!
      const length = termStart[i + 1]! - start
      let common = 0
      const limit = Math.min(valid, length)
      while (common < limit && chars[start + common] === chars[prevStart + common]) common++
      let row = common
      let pruned = -1
      const depth = length < maxLength ? length : maxLength
      for (; row < depth; row++) {
        const char = chars[start + row]!
        const at = (row + 1) * n
        const prev = row * n
        let first = row + 1
        if (first > big) first = big
        matrix[at] = first
        let min = first
        for (let j = 1; j < n; j++) {
          const rpl = matrix[prev + j - 1]! + (char === codes[j] ? 0 : 1)
          const del = matrix[prev + j]! + 1
          const ins = matrix[at + j - 1]! + 1
          let d = rpl < del ? rpl : del
          if (ins < d) d = ins
          if (d > big) d = big
          matrix[at + j] = d
          if (d < min) min = d
        }
        if (min > maxDistance) {
          pruned = row + 1
          break
        }
      }
      valid = row
      prevStart = start
      if (pruned >= 0) {
        valid = pruned - 1
        i = this.skipPrefix(i, pruned)
        continue
      }
      if (length > maxLength) {
        i = this.skipPrefix(i, maxLength + 1 <= length ? maxLength + 1 : length)
        continue
      }
      const distance = matrix[length * n + n - 1]!
      if (distance <= maxDistance) visit(this.terms[i]!, distance)
      i++
    }
  }
}
