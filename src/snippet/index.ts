/**
 * Snippets: the passage of an article that best shows why it matched, with
 * the matching words wrapped in `<mark>` and everything else HTML-escaped.
 *
 * The passage is the window of {@link SnippetOptions.words} tokens that holds
 * the most matching tokens (distinct terms count first, then repeats). A token
 * matches when the analyzer turns it into one of the index terms the query
 * matched, so stems and prefix matches are highlighted too ("prices" for the
 * query "price").
 *
 * @example
 * ```ts
 * snippet('Oil prices rose sharply.', new Set(['oil', 'price']))
 * // '<mark>Oil</mark> <mark>prices</mark> rose sharply.'
 * ```
 */
import { processTerm, tokenizeWithOffsets, type Token } from '../analyzer'
import { escapeHtml } from '../http/html'

export interface SnippetOptions {
  /** Passage length in tokens. Default: 30. */
  words: number
}

export const DEFAULT_SNIPPET_OPTIONS: SnippetOptions = { words: 30 }

export { escapeHtml }

export interface Passage {
  /** The passage as safe HTML. */
  html: string
  /** How many tokens in the passage matched. */
  matches: number
}

/**
 * Memo of the analyzer's per-token output. Snippets analyze every token of
 * every hit's text, and news text repeats its words, so this turns most of
 * that work into a map lookup. Bounded: cleared when full. It holds only
 * pure function results, so it changes no answer.
 */
const TERM_MEMO = new Map<string, string[]>()
const TERM_MEMO_SIZE = 50_000

function termsOf(token: string): string[] {
  let terms = TERM_MEMO.get(token)
  if (terms === undefined) {
    if (TERM_MEMO.size >= TERM_MEMO_SIZE) TERM_MEMO.clear()
    terms = processTerm(token)
    TERM_MEMO.set(token, terms)
  }
  return terms
}

/** For each token, the matched index term it yields, if any. */
function matchedTermPerToken(tokens: Token[], matchedTerms: ReadonlySet<string>): (string | undefined)[] {
  return tokens.map((token) => termsOf(token.text).find((term) => matchedTerms.has(term)))
}

/** Best passage of `text` for the matched index terms. */
export function passage(text: string, matchedTerms: ReadonlySet<string>, options: Partial<SnippetOptions> = {}): Passage {
  const { words } = { ...DEFAULT_SNIPPET_OPTIONS, ...options }
  const tokens = tokenizeWithOffsets(text)
  if (tokens.length === 0) return { html: '', matches: 0 }
  const matchTerm = matchedTermPerToken(tokens, matchedTerms)
  const first = bestWindowStart(matchTerm, words)
  const last = Math.min(tokens.length, first + words) - 1
  const window = matchTerm.slice(first, last + 1)
  return {
    html: render(text, tokens.slice(first, last + 1), window, matchedTerms, first > 0, last < tokens.length - 1),
    matches: window.filter((term) => term !== undefined).length,
  }
}

/** Best passage of `text` for the matched index terms, as safe HTML. */
export function snippet(text: string, matchedTerms: ReadonlySet<string>, options: Partial<SnippetOptions> = {}): string {
  return passage(text, matchedTerms, options).html
}

/**
 * The UTF-16 `[start, end)` ranges of the matching words of `text`, for a
 * client that highlights a field itself (the title, for one).
 */
export function highlightRanges(text: string, matchedTerms: ReadonlySet<string>): [number, number][] {
  const tokens = tokenizeWithOffsets(text)
  return matchedRanges(tokens, matchedTermPerToken(tokens, matchedTerms), matchedTerms)
}

const HYPHEN_PARTS = /[^\-‐‑]+/g

/**
 * The `[start, end)` ranges of the tokens that matched, shifted by `-origin`.
 * A hyphenated token is marked whole when its joined form matched
 * ("al-Assad" for `alassad`), else only its parts that matched ("ARGENTINA"
 * of "ARGENTINA-BRAZIL" for `argentina`).
 */
function matchedRanges(tokens: Token[], matchTerm: (string | undefined)[], matchedTerms: ReadonlySet<string>, origin = 0): [number, number][] {
  const ranges: [number, number][] = []
  tokens.forEach((token, i) => {
    if (matchTerm[i] === undefined) return
    const start = token.start - origin
    const parts = [...token.text.matchAll(HYPHEN_PARTS)]
    const joined = termsOf(token.text)[0]
    const partRanges =
      parts.length < 2 || (joined !== undefined && matchedTerms.has(joined))
        ? []
        : parts.filter((part) => termsOf(part[0]).some((term) => matchedTerms.has(term))).map((part) => [start + part.index, start + part.index + part[0].length] as [number, number])
    // No part matched on its own (a part folds differently alone, "X'S-Y"): the whole token.
    ranges.push(...(partRanges.length ? partRanges : [[start, token.end - origin] as [number, number]]))
  })
  return ranges
}

/**
 * `text` whole as safe HTML, with `<mark>` around the `[start, end)` ranges
 * (sorted, not overlapping, as {@link highlightRanges} gives them) and
 * everything else escaped. Whitespace is kept, so the ranges index the
 * unescaped text.
 *
 * @example
 * ```ts
 * markRanges('OIL <XON> PRICES', [[0, 3]]) // '<mark>OIL</mark> &lt;XON&gt; PRICES'
 * ```
 */
export function markRanges(text: string, ranges: readonly (readonly [number, number])[]): string {
  let html = ''
  let cursor = 0
  for (const [start, end] of ranges) {
    html += `${escapeHtml(text.slice(cursor, start))}<mark>${escapeHtml(text.slice(start, end))}</mark>`
    cursor = end
  }
  return html + escapeHtml(text.slice(cursor))
}

/**
 * Start of the window with the most distinct matched terms, then the most
 * matches; then shifted so that its matches sit in the middle of the passage.
 * One pass: the window slides and keeps per-term counts.
 */
function bestWindowStart(matchTerm: (string | undefined)[], words: number): number {
  const counts = new Map<string, number>()
  let distinct = 0
  let matches = 0
  const add = (term: string | undefined, delta: 1 | -1) => {
    if (term === undefined) return
    const count = (counts.get(term) ?? 0) + delta
    counts.set(term, count)
    matches += delta
    if (delta === 1 && count === 1) distinct++
    if (delta === -1 && count === 0) distinct--
  }
  for (let i = 0; i < Math.min(words, matchTerm.length); i++) add(matchTerm[i], 1)
  let best = 0
  let bestScore = distinct * 1000 + matches
  for (let start = 1; start + words <= matchTerm.length; start++) {
    add(matchTerm[start - 1], -1)
    add(matchTerm[start + words - 1], 1)
    const score = distinct * 1000 + matches
    if (score > bestScore) {
      best = start
      bestScore = score
    }
  }
  const inWindow = matchTerm.slice(best, best + words)
  const firstMatch = inWindow.findIndex((term) => term !== undefined)
  if (firstMatch < 0) return 0
  const lastMatch = inWindow.length - 1 - [...inWindow].reverse().findIndex((term) => term !== undefined)
  const centred = best + firstMatch - Math.floor((words - (lastMatch - firstMatch + 1)) / 2)
  return Math.max(0, Math.min(centred, matchTerm.length - words))
}

function render(
  text: string,
  tokens: Token[],
  matchTerm: (string | undefined)[],
  matchedTerms: ReadonlySet<string>,
  cutBefore: boolean,
  cutAfter: boolean,
): string {
  // Uncut ends run to the text's ends; a cut end keeps the punctuation glued to its last word ("prices,").
  const from = cutBefore ? (tokens[0]?.start ?? 0) : 0
  const lastEnd = tokens[tokens.length - 1]?.end ?? 0
  const end = cutAfter ? lastEnd + (/^\S*/.exec(text.slice(lastEnd))?.[0].length ?? 0) : text.length
  const html = markRanges(text.slice(from, end), matchedRanges(tokens, matchTerm, matchedTerms, from))
  return `${cutBefore ? '… ' : ''}${html}${cutAfter ? ' …' : ''}`.replace(/\s+/g, ' ').trim()
}
