/**
 * The terms worth offering as corrections — in at least `minDf` documents,
 * no digits — copied out of the dictionary once, with the dictionary's own
 * sorted Levenshtein walk (`SortedTerms`, `src/engine/dictionary.ts`) over
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
import { SortedTerms } from '../engine/dictionary'

export class CorrectionList {
  /** Dictionary term number of each listed term. */
  readonly terms: Int32Array
  /** The listed terms' text, in dictionary order, and the walk over it. */
  private readonly walk: SortedTerms

  private constructor(terms: Int32Array, start: Uint32Array, chars: Uint16Array) {
    this.terms = terms
    this.walk = new SortedTerms(chars, start, terms.length)
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

  /**
   * Calls `visit(dictionary term number, distance)` for every listed term
   * within Levenshtein `maxDistance` of `query`; an edit of the first
   * character costs `firstEditCost` (`SortedTerms.fuzzy`).
   */
  fuzzy(query: string, maxDistance: number, visit: (t: number, distance: number) => void, firstEditCost = 1): void {
    const { terms } = this
    this.walk.fuzzy(query, maxDistance, (i, distance) => visit(terms[i]!, distance), firstEditCost)
  }
}
