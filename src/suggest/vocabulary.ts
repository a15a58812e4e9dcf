/**
 * The index vocabulary as suggestions need it, read from the engine's public
 * typed arrays (`Dictionary.df`, `termStart`, `chars`): document frequency in
 * the text fields, the best completions of a prefix, and the correction of a
 * misspelt term.
 *
 * "Text fields" are title, summary and body: the `topics` field holds topic
 * names and slugs ("acq", "money-fx"), which are filters, not words to suggest.
 *
 * @example
 * ```ts
 * const vocabulary = vocabularyOf(index.engine)
 * vocabulary.completions(['pri'], 8) // term numbers of price, prior, primari, …
 * vocabulary.correct('petrolium', 'petrolium') // term number of petroleum
 * ```
 */
import type { Engine } from '../engine'
import { CorrectionList } from './walk'

/** Fields whose words may be suggested. */
export const TEXT_FIELDS = ['title', 'summary', 'body'] as const

/** Shorter terms are never offered as completions ("s", from "U.S."). */
export const MIN_COMPLETION_LENGTH = 2

/** Terms in fewer documents than this are never offered as a correction (they are often typos themselves). */
export const MIN_CORRECTION_DF = 3

/** A term this rare is corrected when a neighbour is {@link RARE_RATIO} times more frequent (the corpus has its own typos). */
export const RARE_DF = 20
export const RARE_RATIO = 50

/** Edit distance allowed when correcting, by term length: none under 3, 1 up to 4, 2 from 5. */
export function correctionDistance(length: number): number {
  return length < 3 ? 0 : length < 5 ? 1 : 2
}

export class Vocabulary {
  readonly engine: Engine
  /** Field ids of {@link TEXT_FIELDS} present in the index. */
  readonly textFields: number[]
  readonly titleField: number
  private readonly F: number

  constructor(engine: Engine) {
    this.engine = engine
    this.F = engine.fields.length
    this.textFields = TEXT_FIELDS.map((field) => engine.fields.indexOf(field)).filter((f) => f >= 0)
    this.titleField = engine.fields.indexOf('title')
  }

  private list: CorrectionList | undefined
  private frequentList: CorrectionList | undefined

  /**
   * The terms that may be offered as corrections of a word in at least
   * `minDf` documents' text, copied out once (walk.ts): every term in
   * {@link MIN_CORRECTION_DF} or more, or, from `minDf` ≥ {@link RARE_RATIO}
   * (the correction of a rare word the corpus has), only those in
   * {@link RARE_RATIO} or more: on Reuters 2.7k of the 14.8k, so its walks cost
   * about a sixth.
   */
  correctionList(minDf = MIN_CORRECTION_DF): CorrectionList {
    if (minDf >= RARE_RATIO) return (this.frequentList ??= CorrectionList.from(this.engine.dictionary, (t) => this.textDf(t) >= RARE_RATIO))
    return (this.list ??= CorrectionList.from(this.engine.dictionary, (t) => this.textDf(t) >= MIN_CORRECTION_DF))
  }

  /** Documents with term t in a text field, summed over the fields (a popularity figure, not a set size). */
  textDf(t: number): number {
    const { df } = this.engine.dictionary
    const base = t * this.F
    let sum = 0
    for (const f of this.textFields) sum += df[base + f]!
    return sum
  }

  /** Term number of `term` if it occurs in a text field; -1 otherwise. */
  find(term: string): number {
    const t = this.engine.dictionary.find(term)
    return t >= 0 && this.textDf(t) > 0 ? t : -1
  }

  /**
   * The `k` terms of at least {@link MIN_COMPLETION_LENGTH} characters with
   * the highest text document frequency that start with any of the prefixes
   * (then in dictionary order), best first. One pass over
   * each prefix range with a small sorted buffer: no allocation per term.
   */
  completions(prefixes: readonly string[], k: number): number[] {
    const dict = this.engine.dictionary
    const best: number[] = []
    const bestDf: number[] = []
    const ranges: [number, number][] = []
    for (const prefix of prefixes) {
      if (prefix.length === 0) continue
      const [lo, hi] = dict.prefixRange(prefix)
      if (lo < hi) ranges.push([lo, hi])
    }
    // Merge overlapping ranges so that no term is counted twice.
    ranges.sort((a, b) => a[0] - b[0])
    let covered = 0
    for (const [lo, hi] of ranges) {
      for (let t = Math.max(lo, covered); t < hi; t++) {
        const df = this.textDf(t)
        if (df === 0 || dict.termLength(t) < MIN_COMPLETION_LENGTH) continue
        if (best.length === k && df <= bestDf[k - 1]!) continue
        let at = best.length < k ? best.length : k - 1
        while (at > 0 && bestDf[at - 1]! < df) {
          best[at] = best[at - 1]!
          bestDf[at] = bestDf[at - 1]!
          at--
        }
        best[at] = t
        bestDf[at] = df
      }
      if (hi > covered) covered = hi
    }
    return best
  }

  /**
   * The best correction of a word: the dictionary stems near it, measured
   * three ways with transpositions counted as one edit ("cocao" is one swap
   * from "cocoa"), keeping the least: the typed word against the stem, the
   * typed word against the stem's surface form ("fedral" is one edit from
   * "federal", three from its stem `feder`), and the typed word's stem
   * against the stem plus one edit (stems meet too easily: `gover`, from
   * "goverment", is one edit from `over`). Nearest first, then the most frequent; only
   * stems in at least `minDf` documents (default {@link MIN_CORRECTION_DF}), within
   * {@link correctionDistance} of the word's length. -1 when none.
   *
   * `word`: the typed word folded as the analyzer folds it; `stem`: what the
   * analyzer makes of it; `surface`: a stem's display form (the lexicon);
   * `thorough`: whether to walk 3 edits out when nothing is within 1.
   */
  correct(word: string, stem: string, surface: (term: string) => string = identity, thorough = true, minDf = MIN_CORRECTION_DF): number {
    const maxDistance = correctionDistance(word.length)
    if (maxDistance === 0 || /\d/.test(word)) return -1
    const dict = this.engine.dictionary
    let best = -1
    let bestDistance = Infinity
    let bestDf = 0
    // Stems meet more easily than words ("gover", from "goverment", is one edit from "over"): a stem-only match costs one edit more.
    const stemPenalty = stem === word ? 0 : 1
    const seen = new Set<number>()
    const visit = (t: number) => {
      if (seen.has(t)) return
      seen.add(t)
      const df = this.textDf(t)
      if (df < minDf) return
      const term = dict.term(t)
      if (term === stem) return
      const distance = Math.min(
        bounded(word, term, maxDistance),
        bounded(word, surface(term), maxDistance),
        bounded(stem, term, maxDistance - stemPenalty) + stemPenalty,
      )
      if (distance > maxDistance) return
      if (distance < bestDistance || (distance === bestDistance && df > bestDf)) {
        best = t
        bestDistance = distance
        bestDf = df
      }
    }
    // The walks go over the frequent terms only (walk.ts). A swap is two Levenshtein edits: short words are walked one edit further.
    const list = this.correctionList(minDf)
    list.fuzzy(word, maxDistance === 1 ? 2 : maxDistance, visit)
    if (stem !== word) list.fuzzy(stem, maxDistance, visit)
    // A surface may be nearer than its stem ("fedral" → `feder`, 3 edits): one walk further; `thorough: false` skips it.
    // That walk keeps the word's first letter (an edit of it costs more than 3): over every letter's terms it took
    // about 2 ms of a 4–5 ms request on this machine (the typo query "refundbale"), and pruned at the first letter it is about
    // twenty times cheaper (SortedTerms.fuzzy). The 2-edit walks above still reach a first-letter typo.
    if (thorough && bestDistance > 1 && maxDistance === 2 && word.length >= 6) list.fuzzy(word, 3, visit, 4)
    return best
  }

  /**
   * Whether a typed word needs correcting: its stem is in no text field, or
   * in at most {@link RARE_DF} documents while a correction is
   * {@link RARE_RATIO} times more frequent (Reuters itself spells "recieved"
   * 12 times): then the nearest of those. Returns the replacement term
   * number, or -1 to keep the word.
   */
  replacement(word: string, stem: string, surface?: (term: string) => string): number {
    if (/\d/.test(stem)) return -1
    const t = this.find(stem)
    if (t >= 0 && this.textDf(t) > RARE_DF) return -1
    return this.correct(word, stem, surface, true, t >= 0 ? RARE_RATIO * this.textDf(t) : MIN_CORRECTION_DF)
  }
}

const identity = (term: string) => term

const vocabularies = new WeakMap<Engine, Vocabulary>()

/** The vocabulary of an engine, made once. */
export function vocabularyOf(engine: Engine): Vocabulary {
  let vocabulary = vocabularies.get(engine)
  if (!vocabulary) vocabularies.set(engine, (vocabulary = new Vocabulary(engine)))
  return vocabulary
}

/** {@link osaDistance}, or `limit + 1` as soon as the lengths alone show it exceeds `limit`. */
function bounded(a: string, b: string, limit: number): number {
  return Math.abs(a.length - b.length) > limit ? limit + 1 : osaDistance(a, b)
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions as one edit. */
export function osaDistance(a: string, b: string): number {
  const n = a.length
  const m = b.length
  let prev2 = new Array<number>(m + 1).fill(0)
  let prev = Array.from({ length: m + 1 }, (_, j) => j)
  let row = new Array<number>(m + 1).fill(0)
  for (let i = 1; i <= n; i++) {
    row[0] = i
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, prev2[j - 2]! + 1)
      }
      row[j] = d
    }
    ;[prev2, prev, row] = [prev, row, prev2]
  }
  return prev[m]!
}
