/**
 * Loads the suggest lexicon (`suggest/lexicon.json`) once per loaded index,
 * next to it: the index itself does not know about it, so any app built with
 * `createApp` keeps working without it, with stems shown as they are and
 * titles read from the article fragments (slower), after one warning.
 *
 * @example
 * ```ts
 * const lexicon = await loadLexicon(index, assetSource(env.ASSETS))
 * ```
 */
import type { ArtefactSource, SearchIndex } from '../search-index'
import { EMPTY_LEXICON, LEXICON_FILE, Lexicon, type LexiconData } from './lexicon'

// Only loaded lexicons are shared between requests, never a load in flight:
// workerd cancels a request that awaits I/O another request started.
const ready = new WeakMap<SearchIndex, Lexicon>()

/** The lexicon of `index`, read from `source` on first use; {@link EMPTY_LEXICON} if it is missing or does not match. */
export async function loadLexicon(index: SearchIndex, source: ArtefactSource): Promise<Lexicon> {
  const done = ready.get(index)
  if (done) return done
  {
    const promise = source
      .json<LexiconData>(LEXICON_FILE)
      .then((data) => {
        const lexicon = new Lexicon(data)
        if (lexicon.count !== index.ids.length) {
          throw new Error(`${LEXICON_FILE} covers ${lexicon.count} articles, the index ${index.ids.length}; rebuild with npm run build`)
        }
        return lexicon
      })
      .catch((error: unknown) => {
        console.warn(`suggestions without surface forms and title list: ${(error as Error).message}`)
        return EMPTY_LEXICON
      })
      .then((lexicon) => {
        ready.set(index, lexicon)
        return lexicon
      })
    return promise
  }
}

/** The lexicon of `index` if {@link loadLexicon} has finished, else {@link EMPTY_LEXICON}. */
export function lexiconOf(index: SearchIndex): Lexicon {
  return ready.get(index) ?? EMPTY_LEXICON
}
