/**
 * Build step of `/suggest` and did-you-mean: writes `suggest/lexicon.json`
 * (see `src/suggest/lexicon.ts`) from the sorted articles.
 *
 * - Surface forms: every token of every title, summary and body is analyzed
 *   as the index analyzes it (`processTerm`), and each resulting stem counts
 *   the lower-cased word it came from (NFKC, case folded, possessive `'s`
 *   dropped; a hyphenated word is the surface of its joined term, each part
 *   of its own). A stem's surface is its most frequent word, ties to the
 *   shorter, then code-unit order. Only stems whose surface differs are written.
 * - Titles: by internal number, so `articles` must be in index order (the
 *   order `write.ts` compiles them in); only when they fit
 *   {@link LexiconOptions.titlesBudgetBytes}. The Worker holds the lexicon in
 *   its heap as long as the index, and a title list is its largest part (at
 *   200,000 articles 8.9 MB of JSON, about 24 MB of heap, against the 32 MB
 *   the whole Worker may keep). Without it `/suggest` reads the few titles it
 *   shows from the article fragments, through the bounded article cache.
 *
 * A pure function of the articles, so the same input gives the same bytes.
 *
 * @example
 * ```ts
 * // in index-build/write.ts makeArtefacts, after the main index is packed:
 * files.push(...suggestArtefacts(articles))
 * ```
 */
import { processTerm, tokenize } from '../../src/analyzer'
import { LEXICON_FILE, LEXICON_VERSION, encodeSurface, type LexiconData } from '../../src/suggest/lexicon'

export interface SuggestArtefact {
  name: string
  bytes: Buffer
}

interface ArticleText {
  title: string
  summary: string
  body: string
}

const POSSESSIVE = /['’‘]s$/
const HYPHENS = /[\-‐‑]/

/** The word as people would read it in a suggestion: lower-cased, without a possessive `'s`. */
export function displayForm(token: string): string {
  return token.normalize('NFKC').toLowerCase().replace(POSSESSIVE, '')
}

/** Stem → most frequent display form, for every stem whose display form differs from it. */
export function surfaceForms(articles: readonly ArticleText[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>()
  const analyzed = new Map<string, [string, string][]>()
  const add = (stem: string, word: string) => {
    let forms = counts.get(stem)
    if (!forms) counts.set(stem, (forms = new Map()))
    forms.set(word, (forms.get(word) ?? 0) + 1)
  }
  for (const article of articles) {
    for (const text of [article.title, article.summary, article.body]) {
      for (const token of tokenize(text)) {
        let pairs = analyzed.get(token)
        if (!pairs) {
          pairs = []
          const word = displayForm(token)
          const parts = word.split(HYPHENS).filter((part) => part.length > 0)
          const joined = processTerm(token)
          if (parts.length > 1) {
            // processTerm gives the joined term first (unless it is a stop word), then the parts.
            const whole = processTerm(parts.join(''))[0]
            if (whole !== undefined && joined.includes(whole)) pairs.push([whole, word])
            for (const part of parts) {
              const stem = processTerm(part)[0]
              if (stem !== undefined) pairs.push([stem, part])
            }
          } else if (joined[0] !== undefined) pairs.push([joined[0], word])
          analyzed.set(token, pairs)
        }
        for (const [stem, word] of pairs) add(stem, word)
      }
    }
  }
  const out = new Map<string, string>()
  for (const [stem, forms] of counts) {
    let best = ''
    let bestCount = -1
    for (const [word, count] of forms) {
      if (count > bestCount || (count === bestCount && (word.length < best.length || (word.length === best.length && word < best)))) {
        best = word
        bestCount = count
      }
    }
    if (best !== stem) out.set(stem, best)
  }
  return out
}

/**
 * Largest title list, in bytes of JSON, that the lexicon carries: 2 MiB,
 * about 45,000 news titles (the bundled 21.6k take 0.95 MiB), or some 6 MB of
 * the Worker's heap once parsed.
 */
export const DEFAULT_TITLES_BUDGET = 2 << 20

export interface LexiconOptions {
  /** Largest title list to write, in bytes of JSON; over it, or at 0, none is written. Default: {@link DEFAULT_TITLES_BUDGET}; the shards-only build (`../shards.ts`) passes 0. */
  titlesBudgetBytes: number
}

/** What {@link suggestArtefacts} wrote about titles, for the build's summary. */
export interface LexiconSummary {
  /** Whether the title list is in the lexicon. */
  titles: boolean
  /** Size of the title list as JSON, written or not. */
  titleBytes: number
}

/** The lexicon's data: surfaces coded against their stems, and the titles when they fit the budget. */
export function lexiconData(articles: readonly ArticleText[], options: Partial<LexiconOptions> = {}): { data: LexiconData; summary: LexiconSummary } {
  const { titlesBudgetBytes } = { titlesBudgetBytes: DEFAULT_TITLES_BUDGET, ...options }
  const surfaces = surfaceForms(articles)
  const stems: string[] = []
  const codes: string[] = []
  for (const stem of [...surfaces.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const code = encodeSurface(stem, surfaces.get(stem)!)
    if (code === undefined) continue
    stems.push(stem)
    codes.push(code)
  }
  const allTitles = articles.map((article) => article.title)
  const titleBytes = Buffer.byteLength(JSON.stringify(allTitles))
  const fits = titlesBudgetBytes > 0 && titleBytes <= titlesBudgetBytes
  const data = { version: LEXICON_VERSION, count: articles.length, stems, surfaces: codes, titles: fits ? allTitles : [] }
  return { data, summary: { titles: fits, titleBytes } }
}

/** The files of this step, to add to the out dir: `suggest/lexicon.json`. `articles` in index order. */
export function suggestArtefacts(articles: readonly ArticleText[], options?: Partial<LexiconOptions>): { files: SuggestArtefact[]; summary: LexiconSummary } {
  const { data, summary } = lexiconData(articles, options)
  return { files: [{ name: LEXICON_FILE, bytes: Buffer.from(JSON.stringify(data)) }], summary }
}
