/**
 * Snippets: the passage of an article that best shows why it matched, with
 * the matching words wrapped in `<mark>` and everything else HTML-escaped.
 *
 * The passage is the window of {@link SnippetOptions.words} tokens that holds
 * the most matching tokens: distinct query words count first (those the title
 * does not show before the others, when `wordOf` and `shownWords` are given;
 * else distinct terms), then repeats. A token
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
import { isHyphen, processTerm, scanTokens } from '../analyzer'
import { escapeHtml } from '../http/html'
import { DEFAULT_SNIPPET_WORDS, MAX_SCAN_CHARS } from './budget'

export interface SnippetOptions {
  /** Passage length in tokens. Default: 30. */
  words: number
  /**
   * Characters of the text searched for the passage, from its start.
   * Default: 10,000 (about 1,600 words; a Reuters story averages 800
   * characters). It bounds the CPU of a snippet whatever the article's
   * length (the build accepts a million characters); a longer text is cut
   * after the passage with " …".
   */
  maxScanChars: number
  /**
   * The query word each matched term stands for (a number per word), so that
   * the passage covering the most of the query's words wins: "wheat what" (a
   * typo reading of "wheat" beside it) then counts one word, and a window with
   * "wheat" and "exports" for `wheat expo` two. Default: none, each term
   * counts as its own word.
   */
  wordOf?: ReadonlyMap<string, number>
  /**
   * Query words (numbers of `wordOf`) the hit already shows elsewhere, its
   * title: a window with a word not shown there wins over one that only
   * repeats them, so that title and snippet together show why it matched.
   * Default: none.
   */
  shownWords?: ReadonlySet<number>
}

export const DEFAULT_SNIPPET_OPTIONS: SnippetOptions = { words: DEFAULT_SNIPPET_WORDS, maxScanChars: MAX_SCAN_CHARS }

export { MAX_SCAN_CHARS, PAGE_SCAN_BUDGET, scanBudgets, scanCharsPerHit } from './budget'

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
 * that work into a map lookup. Bounded: once full it keeps what it has and
 * takes nothing more (a token it lacks is analyzed each time). It holds only
 * pure function results, so it changes no answer.
 *
 * Why not cleared when full, as it was until 2026-11-28: its entries then
 * lived long enough to be promoted to the old generation, and died there, so
 * every scavenge copied them (workerd alone, `--trace-gc-nvp`, 1,001 mixed
 * searches after a warm-up set: 164 KB promoted and a 3.3 ms pause per
 * scavenge on average, against 104 KB and 1.9 ms frozen). The first 10,000
 * tokens an isolate meets are mostly the common words of its articles.
 *
 * It lives as long as the isolate, so its size counts against the 32 MB heap:
 * the analyzer's arrays grow by `push` and carry spare capacity (about 150
 * bytes each in Node), so the memo keeps exact-size copies, and one shared
 * empty array for stop words. At 50,000 entries of untrimmed arrays it held
 * about 7 MB after 1,001 queries on a 100k-article shard. At 20,000 it was
 * near full after 1,001 queries on the 200k index, 0.85 MB of the 31.9 MB it
 * kept (target 32 MB); halving it changed no CPU figure `bench:gc` can show.
 */
const TERM_MEMO = new Map<string, readonly string[]>()
const TERM_MEMO_SIZE = 10_000
const NO_TERMS: readonly string[] = Object.freeze([])

function termsOf(token: string): readonly string[] {
  let terms = TERM_MEMO.get(token)
  if (terms === undefined) {
    const analysed = processTerm(token)
    terms = analysed.length === 0 ? NO_TERMS : analysed.length === 1 ? [analysed[0]!] : analysed.slice()
    if (TERM_MEMO.size < TERM_MEMO_SIZE) TERM_MEMO.set(token, terms)
  }
  return terms
}

/** Lower case of an ASCII letter or digit's code; -1 for any other code (or NaN past the end). */
function asciiLower(code: number): number {
  if (code >= 0x61 && code <= 0x7a) return code
  if (code >= 0x41 && code <= 0x5a) return code + 0x20
  return code >= 0x30 && code <= 0x39 ? code : -1
}

// The leading characters of the matched terms, for cannotMatch; codes are
// ASCII, so a pair is a * 128 + b. Scratch tables shared by all calls (a page
// of hits would otherwise allocate and zero a table per hit): scan runs
// synchronously and clears what it set before it returns, so no call sees
// another's.

/** By pair: bit 1 when a two-character term is that pair, bit 2 when a longer term starts with it. */
const PAIRS = new Uint8Array(128 * 128)
/** A bit set (256 KB) of the first three characters of the longer terms, pair * 128 + third. */
const TRIPLES = new Uint8Array((128 * 128 * 128) / 8)

/** The pair code of a term's first two characters, or -1 when either is not ASCII, for {@link setLeads} and {@link clearLeads}. */
function leadPair(term: string): number {
  const a = term.charCodeAt(0)
  const b = term.charCodeAt(1)
  return a < 128 && b < 128 ? a * 128 + b : -1
}

/** The triple code of a term's first three characters, given its {@link leadPair}; -1 when too short or not ASCII. */
function leadTriple(term: string, pair: number): number {
  const c = term.charCodeAt(2)
  return pair >= 0 && term.length > 2 && c < 128 ? pair * 128 + c : -1
}

/** Sets the leads of the matched terms in {@link PAIRS} and {@link TRIPLES}; false (nothing set) when a term is under two characters: then no token can be ruled out. */
function setLeads(matchedTerms: ReadonlySet<string>): boolean {
  for (const term of matchedTerms) if (term.length < 2) return false
  for (const term of matchedTerms) {
    // A term that does not start in ASCII can only come from a token that does not either, and those are never ruled out.
    const pair = leadPair(term)
    if (pair < 0) continue
    PAIRS[pair]! |= term.length === 2 ? 1 : 2
    const triple = leadTriple(term, pair)
    if (triple >= 0) TRIPLES[triple >> 3]! |= 1 << (triple & 7)
  }
  return true
}

/** Undoes {@link setLeads} in the shared tables. */
function clearLeads(matchedTerms: ReadonlySet<string>): void {
  for (const term of matchedTerms) {
    const pair = leadPair(term)
    if (pair < 0) continue
    PAIRS[pair] = 0
    const triple = leadTriple(term, pair)
    if (triple >= 0) TRIPLES[triple >> 3] = 0
  }
}

/**
 * True when the token `text[start, end)` cannot yield any matched term,
 * decided without analyzing it. Only plain ASCII starts of unjoined tokens
 * are ruled out: folding only lower-cases them, and stemming only rewrites a
 * word's end, from its third character on (English Porter rules need a
 * stem of two characters or more before a suffix). So a term of the token
 * is either two characters long, or starts with the token's first two
 * characters, and, when the token has four or more, with its first three
 * ("cry" → "cri" is why three-character tokens check only two).
 */
function cannotMatch(text: string, start: number, end: number, joined: boolean): boolean {
  const length = end - start
  if (length < 2 || joined) return false
  const a = asciiLower(text.charCodeAt(start))
  const b = asciiLower(text.charCodeAt(start + 1))
  if (a < 0 || b < 0) return false
  const pair = a * 128 + b
  const lead = PAIRS[pair]!
  if (lead === 0) return true
  if (lead & 1 || length === 3) return false
  const c = asciiLower(text.charCodeAt(start + 2))
  if (c < 0) return false
  const triple = pair * 128 + c
  return !(TRIPLES[triple >> 3]! & (1 << (triple & 7)))
}

/** The matched index term a token yields, if any. (A loop, not `find`: no closure per token.) */
function matchedTermOf(token: string, matchedTerms: ReadonlySet<string>): string | undefined {
  const terms = termsOf(token)
  for (let i = 0; i < terms.length; i++) if (matchedTerms.has(terms[i]!)) return terms[i]
  return undefined
}

/** Token boundaries of a text and the matched term of each, in parallel arrays, `count` long. */
interface Scan {
  count: number
  starts: Int32Array
  ends: Int32Array
  matchTerm: (string | undefined)[]
  /** Tokens past `maxScanChars` were not scanned. */
  truncated: boolean
}

/**
 * The arrays of the last {@link scan}, reused (grown when a text has more
 * tokens): a page of hits scanned 25,000 characters into fresh arrays, and
 * their garbage was a fifth of the snippets' time. Valid until the next scan;
 * {@link passage} is done with them before it returns.
 */
let SCRATCH: Omit<Scan, 'count' | 'truncated'> = { starts: new Int32Array(1024), ends: new Int32Array(1024), matchTerm: new Array<string | undefined>(1024) }

/** A copy of `array` twice as long. */
function doubled(array: Int32Array): Int32Array {
  const grown = new Int32Array(array.length * 2)
  grown.set(array)
  return grown
}

/**
 * Tokenizes `text` (up to `maxChars`) and matches each token, without an
 * object per token, and without analyzing the tokens {@link cannotMatch}
 * rules out: most of a text. A page of 100 hits went from 12 to about 5 ms.
 */
function scan(text: string, matchedTerms: ReadonlySet<string>, maxChars: number): Scan {
  const leadsSet = setLeads(matchedTerms)
  let { starts, ends, matchTerm } = SCRATCH
  let count = 0
  try {
    const truncated = scanTokens(
      text,
      (start, end, joined) => {
        if (count === starts.length) {
          starts = doubled(starts)
          ends = doubled(ends)
          SCRATCH = { starts, ends, matchTerm }
        }
        starts[count] = start
        ends[count] = end
        matchTerm[count++] = leadsSet && cannotMatch(text, start, end, joined) ? undefined : matchedTermOf(text.slice(start, end), matchedTerms)
      },
      maxChars,
    )
    return { count, starts, ends, matchTerm, truncated }
  } finally {
    if (leadsSet) clearLeads(matchedTerms)
  }
}

/**
 * {@link scan}, but with no term to match (a browse, or a hit that matched
 * only in its title) the passage is the opening: scanned only as far as one
 * token past it, unless that many characters held too few tokens.
 */
function scanFor(text: string, matchedTerms: ReadonlySet<string>, words: number, maxScanChars: number): Scan {
  if (matchedTerms.size === 0) {
    const opening = scan(text, matchedTerms, Math.min(maxScanChars, (words + 1) * 16))
    if (opening.count > words || !opening.truncated) return opening
  }
  return scan(text, matchedTerms, maxScanChars)
}

/** Best passage of `text` for the matched index terms. */
export function passage(text: string, matchedTerms: ReadonlySet<string>, options: Partial<SnippetOptions> = {}): Passage {
  const { words, maxScanChars, wordOf, shownWords } = { ...DEFAULT_SNIPPET_OPTIONS, ...options }
  const { count, starts, ends, matchTerm, truncated } = scanFor(text, matchedTerms, words, maxScanChars)
  if (count === 0) return { html: '', matches: 0 }
  const first = bestWindowStart(matchTerm, count, words, wordOf, shownWords)
  const end = Math.min(count, first + words)
  let matches = 0
  for (let i = first; i < end; i++) if (matchTerm[i] !== undefined) matches++
  // The window is read from the scan's arrays in place: no object or string per token (a page's snippets made 300).
  const window: TokenSpans = { text, starts, ends, matchTerm, first, end }
  return { html: render(window, matchedTerms, first > 0, truncated || end < count), matches }
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
  return highlight(text, matchedTerms).ranges
}

/** {@link highlightRanges} of `text` and the matched terms found in it (a title's, for the snippet's `shownWords`), from one pass. */
export function highlight(text: string, matchedTerms: ReadonlySet<string>): { ranges: [number, number][]; terms: Set<string> } {
  const starts: number[] = []
  const ends: number[] = []
  const matchTerm: (string | undefined)[] = []
  const terms = new Set<string>()
  // scanTokens, not tokenizeWithOffsets: the same tokens, without a match object and a Token per word of every hit's title.
  scanTokens(text, (start, end) => {
    const term = matchedTermOf(text.slice(start, end), matchedTerms)
    starts.push(start)
    ends.push(end)
    matchTerm.push(term)
    if (term !== undefined) terms.add(term)
  })
  return { ranges: matchedRanges({ text, starts, ends, matchTerm, first: 0, end: starts.length }, matchedTerms), terms }
}

/**
 * Tokens `first` to `end` (exclusive) of `text`, as parallel arrays: where
 * each starts and ends, and the matched index term each yields, if any.
 */
interface TokenSpans {
  text: string
  starts: ArrayLike<number>
  ends: ArrayLike<number>
  matchTerm: ArrayLike<string | undefined>
  first: number
  end: number
}

const HYPHEN_PARTS = /[^\-‐‑]+/g

/**
 * The `[start, end)` ranges of the tokens that matched, shifted by `-origin`.
 * A hyphenated token is marked whole when its joined form matched
 * ("al-Assad" for `alassad`), else only its parts that matched ("ARGENTINA"
 * of "ARGENTINA-BRAZIL" for `argentina`).
 */
function matchedRanges(spans: TokenSpans, matchedTerms: ReadonlySet<string>, origin = 0): [number, number][] {
  const { text, starts, ends, matchTerm } = spans
  const ranges: [number, number][] = []
  for (let i = spans.first; i < spans.end; i++) {
    if (matchTerm[i] === undefined) continue
    const start = starts[i]! - origin
    const end = ends[i]! - origin
    // Most tokens have no hyphen: the whole token, and no string or match object.
    if (!hyphenated(text, starts[i]!, ends[i]!)) {
      ranges.push([start, end])
      continue
    }
    const token = text.slice(starts[i]!, ends[i]!)
    const parts = [...token.matchAll(HYPHEN_PARTS)]
    const joined = termsOf(token)[0]
    const partRanges =
      parts.length < 2 || (joined !== undefined && matchedTerms.has(joined))
        ? []
        : parts.filter((part) => termsOf(part[0]).some((term) => matchedTerms.has(term))).map((part) => [start + part.index, start + part.index + part[0].length] as [number, number])
    // No part matched on its own (a part folds differently alone, "X'S-Y"): the whole token.
    if (partRanges.length === 0) ranges.push([start, end])
    else ranges.push(...partRanges)
  }
  return ranges
}

/** Whether `text[start, end)` holds a hyphen (any of those {@link HYPHEN_PARTS} splits on). */
function hyphenated(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isHyphen(text.charCodeAt(i))) return true
  return false
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
 * Start of the window with the most distinct matched query words that
 * `shownWords` does not hold, then the most distinct words (terms, when
 * `wordOf` is not given), then the most matches; then shifted so that its
 * matches sit in the middle of the passage. One pass: the window slides and
 * keeps per-word counts.
 */
function bestWindowStart(
  matchTerm: readonly (string | undefined)[],
  count: number,
  words: number,
  wordOf?: ReadonlyMap<string, number>,
  shownWords?: ReadonlySet<number>,
): number {
  const counts = new Map<string | number, number>()
  let distinct = 0
  let unshown = 0
  let matches = 0
  const add = (term: string | undefined, delta: 1 | -1) => {
    if (term === undefined) return
    const word = wordOf?.get(term) ?? term
    const seen = (counts.get(word) ?? 0) + delta
    counts.set(word, seen)
    matches += delta
    const change = delta === 1 && seen === 1 ? 1 : delta === -1 && seen === 0 ? -1 : 0
    distinct += change
    if (change !== 0 && !(typeof word === 'number' && shownWords?.has(word))) unshown += change
  }
  // Lexicographic: unshown words first, then words, then matches (a window holds at most `words` of each).
  const scoreOf = () => (unshown * (words + 1) + distinct) * (words + 1) + matches
  for (let i = 0; i < Math.min(words, count); i++) add(matchTerm[i], 1)
  let best = 0
  let bestScore = scoreOf()
  for (let start = 1; start + words <= count; start++) {
    add(matchTerm[start - 1], -1)
    add(matchTerm[start + words - 1], 1)
    const score = scoreOf()
    if (score > bestScore) {
      best = start
      bestScore = score
    }
  }
  const inWindow = matchTerm.slice(best, Math.min(best + words, count))
  const firstMatch = inWindow.findIndex((term) => term !== undefined)
  if (firstMatch < 0) return 0
  const lastMatch = inWindow.length - 1 - [...inWindow].reverse().findIndex((term) => term !== undefined)
  const centred = best + firstMatch - Math.floor((words - (lastMatch - firstMatch + 1)) / 2)
  return Math.max(0, Math.min(centred, count - words))
}

function render(window: TokenSpans, matchedTerms: ReadonlySet<string>, cutBefore: boolean, cutAfter: boolean): string {
  const { text, starts, ends, first, end: after } = window
  // Uncut ends run to the text's ends; a cut end keeps the punctuation glued to its last word ("prices,").
  const from = cutBefore && after > first ? starts[first]! : 0
  const lastEnd = after > first ? ends[after - 1]! : 0
  const end = cutAfter ? lastEnd + (/^\S*/.exec(text.slice(lastEnd))?.[0].length ?? 0) : text.length
  const html = markRanges(text.slice(from, end), matchedRanges(window, matchedTerms, from))
  // Whitespace runs become one space: only runs of two or more, and lone tabs or newlines, are replaced, so that a
  // passage with none (most) is not copied (/\s+/ also matched, and so rewrote, every single space).
  return `${cutBefore ? '… ' : ''}${html}${cutAfter ? ' …' : ''}`.replace(/\s{2,}|[^\S ]/g, ' ').trim()
}
