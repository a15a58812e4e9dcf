/**
 * The suggest lexicon artefact (`suggest/lexicon.json`): shared by the build
 * step that writes it (`index-build/suggest`) and the Worker that reads it.
 *
 * The dictionary holds stemmed terms (`price`, `compani`), which are not fit
 * to show people. The lexicon maps each stem to its most frequent original
 * word form in the titles, summaries and bodies of the corpus, lower-cased
 * (`price` → "prices", `compani` → "company"), and lists the article titles
 * by internal number for title suggestions.
 *
 * Layout (JSON, version {@link LEXICON_VERSION}):
 * - `stems`: the stems whose surface form differs from the stem, sorted by
 *   UTF-16 code units (JS `<`), for binary search;
 * - `surfaces`: index-aligned with `stems`, each surface coded against its
 *   stem as one letter giving how many code units of the stem to drop
 *   (`A` = 0 … `Z` = 25) followed by what to append: `price` + `As` =
 *   "prices", `compani` + `By` = "company";
 * - `titles`: article titles by internal number (`count` of them), or none
 *   (a shards-only build's lexicon, `index-build/shards.ts`: `/suggest` then
 *   reads the titles it shows from the article fragments).
 *
 * Every stem not listed is its own surface form.
 *
 * @example
 * ```ts
 * const lexicon = new Lexicon(await source.json<LexiconData>(LEXICON_FILE))
 * lexicon.surface('price') // 'prices'
 * ```
 */

/** Bump on any change to the shape or meaning of `suggest/lexicon.json`. */
export const LEXICON_VERSION = 1

/** Where the lexicon lives in the out dir (the Worker's static assets). */
export const LEXICON_FILE = 'suggest/lexicon.json'

export interface LexiconData {
  version: number
  /** Articles of the corpus the lexicon was made from: must equal the index's article count. `titles` has that many, or none. */
  count: number
  stems: string[]
  surfaces: string[]
  titles: string[]
}

/** Longest drop the one-letter code can say. */
export const MAX_DROP = 25

/** Codes `surface` against `stem`; undefined when the surface shares too little of the stem. */
export function encodeSurface(stem: string, surface: string): string | undefined {
  let common = 0
  const n = Math.min(stem.length, surface.length)
  while (common < n && stem.charCodeAt(common) === surface.charCodeAt(common)) common++
  const drop = stem.length - common
  if (drop > MAX_DROP) return undefined
  return String.fromCharCode(65 + drop) + surface.slice(common)
}

export function decodeSurface(stem: string, code: string): string {
  const drop = code.charCodeAt(0) - 65
  return stem.slice(0, stem.length - drop) + code.slice(1)
}

/** The lexicon, read in place: binary search over the sorted stems. */
export class Lexicon {
  readonly count: number
  readonly titles: readonly string[]
  private readonly stems: readonly string[]
  private readonly surfaces: readonly string[]

  constructor(data: LexiconData) {
    if (data.version !== LEXICON_VERSION) throw new Error(`${LEXICON_FILE}: version ${String(data.version)} is not supported (this Worker reads ${LEXICON_VERSION})`)
    if (!Array.isArray(data.stems) || !Array.isArray(data.surfaces) || data.stems.length !== data.surfaces.length || !Array.isArray(data.titles)) {
      throw new Error(`${LEXICON_FILE}: malformed`)
    }
    this.count = data.count
    this.stems = data.stems
    this.surfaces = data.surfaces
    this.titles = data.titles
  }

  /** The most frequent word form of a stem; the stem itself when none is recorded. */
  surface(stem: string): string {
    const { stems } = this
    let lo = 0
    let hi = stems.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (stems[mid]! < stem) lo = mid + 1
      else hi = mid
    }
    return lo < stems.length && stems[lo] === stem ? decodeSurface(stem, this.surfaces[lo]!) : stem
  }
}

/** The fallback when the lexicon artefact is missing: stems shown as they are, no title list. */
export const EMPTY_LEXICON = new Lexicon({ version: LEXICON_VERSION, count: -1, stems: [], surfaces: [], titles: [] })
