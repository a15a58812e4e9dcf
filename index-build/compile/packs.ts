/**
 * Article packs (`articles/pack-<p>.bin`, {@link PACK_LAYOUT}): every article
 * compressed on its own with one preset dictionary, so that the Worker can
 * hold them all in memory and inflate only the hits it shows, instead of
 * fetching a fragment for each.
 *
 * @example
 * ```ts
 * const { packs, firstArticle, dictionary } = articlePacks(articles.map((article) => JSON.stringify(article)))
 * ```
 */
import { deflateRawSync } from 'node:zlib'
import { PACK_DICTIONARY_BYTES, PACK_LAYOUT, PACK_MAGIC, packBoundaries } from '../../src/index-format'

export interface ArticlePacks {
  /** The pack files, in order. */
  packs: Buffer[]
  /** Pack p holds articles [firstArticle[p], firstArticle[p + 1]); empty with no packs. */
  firstArticle: number[]
  /** The preset dictionary; null with no packs. */
  dictionary: Buffer | null
}

/**
 * The preset dictionary for `texts`: whole texts taken at an even stride
 * through them (about one in every `total bytes / 32 KiB`), one after another,
 * cut to their last {@link PACK_DICTIONARY_BYTES}. DEFLATE then finds in it
 * the words, keys and phrases that recur across articles ("source":"Reuters",
 * "mln dlrs", "said it"), which a 1 KB article alone has too little text to
 * repeat. Deterministic: same texts, same dictionary.
 */
export function packDictionary(texts: readonly string[]): Buffer {
  const total = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0)
  const stride = Math.max(1, Math.floor(total / PACK_DICTIONARY_BYTES))
  const sample = texts.filter((_, i) => i % stride === 0)
  const joined = Buffer.from(sample.join(''))
  return joined.subarray(Math.max(0, joined.length - PACK_DICTIONARY_BYTES))
}

/**
 * The packs of the articles whose JSON texts are `texts` (by local internal
 * number), grouped by {@link packBoundaries}; none when they are over its
 * budget. Each text is DEFLATE'd at level 9 with {@link packDictionary}.
 */
export function articlePacks(texts: readonly string[]): ArticlePacks {
  const dictionary = packDictionary(texts)
  const compressed = texts.map((text) => deflateRawSync(text, { level: 9, dictionary }))
  const firstArticle = packBoundaries(compressed.map((bytes) => bytes.length))
  if (firstArticle.length === 0) return { packs: [], firstArticle: [], dictionary: null }
  const packs: Buffer[] = []
  for (let p = 0; p + 1 < firstArticle.length; p++) {
    const members = compressed.slice(firstArticle[p], firstArticle[p + 1])
    const offsets = [0]
    for (const bytes of members) offsets.push(offsets.at(-1)! + bytes.length)
    const header = Uint32Array.from([PACK_MAGIC, firstArticle[p]!, members.length, ...offsets])
    packs.push(Buffer.concat([Buffer.from(header.buffer), ...members]))
  }
  if (PACK_LAYOUT.headerWords !== 3) throw new Error('unreachable')
  return { packs, firstArticle, dictionary }
}
