/**
 * Did you mean: a corrected query from the index vocabulary, for a query that
 * found nothing or almost nothing.
 *
 * Rules:
 * - Offer it when the search found fewer than {@link DID_YOU_MEAN_BELOW}
 *   articles, or found some only by relaxing AND to OR (pass the outcome;
 *   without it the query is corrected regardless).
 * - Each word is analyzed as the index analyzes it. A word is corrected when
 *   its stem is in no title, summary or body, or is in at most 20 documents
 *   while a correction is in 50 times more (`vocabulary.ts`, RARE_DF and
 *   RARE_RATIO: Reuters itself spells "recieved" 12 times).
 * - The correction is the dictionary stem within 1 edit (words of 3–4
 *   letters) or 2 edits (5 or more) of the typed word, its stem, or the
 *   stem's surface form, transpositions counting as one edit; nearest first,
 *   then the most frequent, and in at least 3 documents.
 *   Words under 3 letters, numbers, stop words and hyphenated words are kept.
 * - The corrected word is shown in its most frequent surface form
 *   ("petroleum", `price` → "prices"); every other character of the query is
 *   kept as typed. Undefined when no word changes.
 *
 * Dictionary only (no postings), so it is synchronous and cheap.
 *
 * @example
 * ```ts
 * didYouMean(index, 'petrolium prices', lexicon) // 'petroleum prices'
 * didYouMean(index, 'cocao')                    // 'cocoa'
 * ```
 */
import { fold, processTerm, tokenizeWithOffsets } from '../analyzer'
import type { SearchIndex } from '../search-index'
import type { Lexicon } from './lexicon'
import { lexiconOf } from './load'
import { vocabularyOf } from './vocabulary'

/** Offer a correction when a query finds fewer articles than this. */
export const DID_YOU_MEAN_BELOW = 3

/** What the search found, to decide whether a correction is worth offering. */
export interface SearchOutcome {
  total: number
  /** The answer was relaxed from AND to OR: some word matched nothing together with the others. */
  relaxed?: boolean
}

/**
 * The corrected query, or undefined. `found`: what the search gave; a
 * correction is offered only when it found fewer than
 * {@link DID_YOU_MEAN_BELOW} articles or had to relax the query to OR
 * (without `found`, always). `lexicon`: the surface forms (default: the one
 * loaded for this index, see `load.ts`).
 */
export function didYouMean(index: SearchIndex, query: string, lexicon: Lexicon = lexiconOf(index), found?: SearchOutcome): string | undefined {
  if (found && found.total >= DID_YOU_MEAN_BELOW && !found.relaxed) return undefined
  const vocabulary = vocabularyOf(index.engine)
  let out = ''
  let at = 0
  let changed = false
  for (const token of tokenizeWithOffsets(query)) {
    const terms = processTerm(token.text)
    if (terms.length !== 1 || /[-‐‑]/.test(token.text)) continue
    const fix = vocabulary.replacement(fold(token.text), terms[0]!, (term) => lexicon.surface(term))
    if (fix < 0) continue
    const surface = lexicon.surface(index.engine.dictionary.term(fix))
    out += query.slice(at, token.start) + surface
    at = token.end
    changed = true
  }
  if (!changed) return undefined
  out += query.slice(at)
  return out
}
