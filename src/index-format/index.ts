/**
 * The index format: what the build writes and the Worker reads.
 *
 * Like Pagefind, the indexer (`index-build/`, Node) and the runtime (`src/`,
 * the Worker) are separate programs that share this one format, and it carries
 * a version number. The Worker refuses artefacts whose `formatVersion` it does
 * not know, rather than answering wrongly.
 *
 * Version 4 (3 plus article packs; 3 was 2 plus dates and positions) is a compiled, immutable form of the MiniSearch index, read with
 * typed-array views instead of being rebuilt as JS objects. The build writes
 * into its out dir (`generated/assets/`, the Worker's static assets):
 *
 * | file | what |
 * |---|---|
 * | `manifest.json` | {@link Manifest}: versions, topics, and {@link IndexLayout} (N, average field lengths, chunk table) |
 * | `terms.bin` | the term dictionary: sorted terms (UTF-16 code units), per term per field the document frequency and the postings offset ({@link TERMS_LAYOUT}) |
 * | `postings/<c>.bin` | postings, split by term range into chunks fetched on demand: per (term, field), doc-number delta and term frequency, both LEB128 varints |
 * | `positions/<c>.bin` | token positions of the terms of postings chunk c, per (term, field, document), fetched only for phrase queries ({@link POSITIONS_LAYOUT}) |
 * | `docs.bin` | per document: date, field lengths (BM25), topic ids (filter, facets), and the id sort order for `/articles/:id` ({@link DOCS_LAYOUT}) |
 * | `ids.json` | article ids by internal number |
 * | `articles/<k>.json` | {@link ArticleFragment}: {@link articlesPerFragment} whole articles by internal number, one a line ({@link fragmentText}), fetched only for the hits shown |
 * | `articles/pack-<p>.bin` | consecutive articles, each compressed on its own ({@link PACK_LAYOUT}), written only when all of them fit {@link MAX_PACKED_ARTICLE_BYTES}: the Worker loads them in the background and then fetches no fragment for a hit |
 * | `articles/dictionary.bin` | the packs' preset DEFLATE dictionary |
 * | `reference/minisearch.json` | only with `--reference`: the MiniSearch JSON the format was compiled from, for the differential test |
 *
 * Internal numbers are positions in date order, newest first, so the empty
 * query lists articles by walking numbers in order.
 *
 * @example
 * ```ts
 * import { assertFormatVersion } from './index-format'
 * assertFormatVersion(manifest.formatVersion) // throws on anything but FORMAT_VERSION
 * ```
 */
import type { Options as MiniSearchOptions } from 'minisearch'
import { processTerm, tokenize } from '../analyzer'

/** Bump on any change to the shape or meaning of the artefacts. 3: per-document dates in `docs.bin`, token positions in `positions/<c>.bin`. 4: article packs (`articles/pack-<p>.bin`, `IndexLayout.packs`). */
export const FORMAT_VERSION = 4

/** A topic as shown to people, with the slug used in URLs and filters. */
export interface Topic {
  /** Display name, as first seen in the input ("Ukraine - Russia War"). */
  name: string
  /** Lower-case ASCII slug ("ukraine-russia-war"). */
  slug: string
}

/** A "Related News" entry of a plain-text article. */
export interface RelatedLink {
  title: string
  /** Topic display name as written in the source. */
  topic: string
  /** ISO 8601 date (`YYYY-MM-DD`), or null when the source date was unreadable. */
  date: string | null
}

/** One article as the Worker serves it. */
export interface StoredArticle {
  /** Stable id: explicit in the input, or derived from the file name. */
  id: string
  title: string
  summary: string
  body: string
  /** ISO 8601: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.sss]`; null when unknown. */
  date: string | null
  source: string
  url: string
  /** Topic slugs; display names are in the manifest. */
  topics: string[]
  related: RelatedLink[]
}

/** The document MiniSearch indexes: the internal number plus the text fields. */
export interface IndexedDocument {
  n: number
  title: string
  summary: string
  body: string
  /** Topic display names and slugs, space-joined, so both are searchable. */
  topics: string
}

export type IndexedField = 'title' | 'summary' | 'body' | 'topics'
export const IndexedFields: IndexedField[] = ['title', 'summary', 'body', 'topics']

/** Field weights at query time. Title weighs most. */
export const FIELD_BOOSTS: Record<IndexedField, number> = { title: 1.25, summary: 1.2, topics: 1.2, body: 1.2 }

/**
 * MiniSearch options shared by the build (to index) and the Worker (to load
 * and search). Tokenizer and term processing come from the analyzer, so that
 * index terms and query terms are produced by the same code.
 */
export const MINISEARCH_OPTIONS: MiniSearchOptions<IndexedDocument> = {
  idField: 'n',
  fields: IndexedFields,
  storeFields: [],
  tokenize,
  processTerm: (term) => processTerm(term),
  searchOptions: { boost: FIELD_BOOSTS },
}

export interface TopicCount extends Topic {
  count: number
}

export interface Manifest {
  formatVersion: number
  /** Content hash of every other artefact, by file name (sha-256, 16 hex digits). */
  indexVersion: string
  articleCount: number
  /** Every topic with its article count, most frequent first, then by slug. */
  topics: TopicCount[]
  /** ISO 8601 time of the build; `SOURCE_DATE_EPOCH` when set, for byte-identical rebuilds. */
  builtAt: string
  /** What the engine needs up front to read the binary artefacts. */
  index: IndexLayout
}

/** The part of the manifest that describes the compiled index. */
export interface IndexLayout {
  /** Field names, in field-id order (the order of the per-field arrays). */
  fields: IndexedField[]
  /** N in BM25: documents of the whole corpus (global, also in a shard). */
  documentCount: number
  /** Average field length per field, over the whole corpus (global, also in a shard). */
  averageFieldLength: number[]
  /** Terms in the dictionary. */
  termCount: number
  /** Postings chunks: chunk c holds the postings of terms [firstTerm[c], firstTerm[c + 1]). */
  postings: { files: string[]; firstTerm: number[]; bytes: number[] }
  /** Positions chunks: chunk c holds the token positions of the terms of postings chunk c. */
  positions: { files: string[]; bytes: number[] }
  /** Newest and oldest article date (ms since 1970, UTC) of the whole corpus, null when no article is dated (global, also in a shard). */
  dates: { newest: number | null; oldest: number | null }
  /** Article fragments: fragment k holds internal numbers [k * perFragment, (k + 1) * perFragment). */
  fragments: { perFragment: number; count: number }
  /**
   * Article packs ({@link PACK_LAYOUT}): pack p holds the articles
   * [firstArticle[p], firstArticle[p + 1]) (`firstArticle` has one more entry
   * than `files`), compressed with the preset dictionary `dictionary`. No
   * files, and a null dictionary, when the compressed articles together are
   * over {@link MAX_PACKED_ARTICLE_BYTES}.
   */
  packs: { files: string[]; firstArticle: number[]; bytes: number[]; dictionary: string | null }
  /** Documents in this index (its own postings, docs.bin, fragments). Equals `documentCount` unless sharded. */
  localDocumentCount: number
  /** Set in a shard: it holds global internal numbers [docBase, docBase + localDocumentCount). */
  shard?: { index: number; count: number; docBase: number }
}

/** `articles/<k>.json`. */
export interface ArticleFragment {
  formatVersion: number
  /** Internal number of the first article. */
  first: number
  articles: StoredArticle[]
}

/**
 * A fragment file's text: its header on the first line, each article on a
 * line of its own, and `]}` on the last. It is the JSON of `fragment`
 * (`JSON.stringify` escapes every newline inside a string, so a raw newline
 * only ever ends a line), laid out so that {@link fragmentArticle} can parse
 * one article without the others.
 *
 * @example
 * ```ts
 * fragmentText({ formatVersion: 3, first: 8, articles: [a, b] })
 * // '{"formatVersion":3,"first":8,"articles":[\n{…a…},\n{…b…}\n]}'
 * ```
 */
export function fragmentText(fragment: ArticleFragment): string {
  const { articles, ...header } = fragment
  const open = JSON.stringify({ ...header, articles: [] }).slice(0, -2)
  return [open, ...articles.map((article, i) => JSON.stringify(article) + (i < articles.length - 1 ? ',' : '')), ']}'].join('\n')
}

const NEWLINE = 0x0a
const COMMA = 0x2c
const OPEN_BRACE = 0x7b

/** The whole fragment in `bytes`, parsed. */
function parseFragment(bytes: Uint8Array, utf8: TextDecoder): ArticleFragment {
  return JSON.parse(utf8.decode(bytes)) as ArticleFragment
}

/**
 * The header of the fragment in `bytes` (its `articles` left empty), read from
 * its first line; a file not laid out in lines is parsed whole.
 */
export function fragmentHeader(bytes: Uint8Array, utf8: TextDecoder): ArticleFragment {
  const end = bytes.indexOf(NEWLINE)
  if (end < 0) return { ...parseFragment(bytes, utf8), articles: [] }
  return JSON.parse(`${utf8.decode(bytes.subarray(0, end))}]}`) as ArticleFragment
}

/**
 * Article `i` of the fragment in `bytes`, parsing only its line (see
 * {@link fragmentText}), or undefined when the fragment has no article `i`.
 * A file not laid out in lines (any valid fragment JSON) is parsed whole.
 *
 * Why: a page of hits needs one article from each of about ten fragments;
 * parsing only that article's line costs a quarter of the fragment at 4
 * articles a fragment and a thirty-second at 32 (200k articles).
 */
export function fragmentArticle(bytes: Uint8Array, i: number, utf8: TextDecoder): StoredArticle | undefined {
  let start = 0
  for (let line = 0; line <= i; line++) {
    const end = bytes.indexOf(NEWLINE, start)
    if (end < 0) return line === 0 ? parseFragment(bytes, utf8).articles[i] : undefined
    start = end + 1
  }
  if (bytes[start] !== OPEN_BRACE) return undefined // the closing `]}`: no article i
  let end = bytes.indexOf(NEWLINE, start)
  if (end < 0) end = bytes.length
  if (bytes[end - 1] === COMMA) end--
  return JSON.parse(utf8.decode(bytes.subarray(start, end))) as StoredArticle
}

/** Fragment files an index may write: leaves room under the 20,000 files of a deployment. */
export const MAX_FRAGMENT_FILES = 12_000

/**
 * Articles per fragment file for an index of `count` articles: 4, doubled
 * until the files fit {@link MAX_FRAGMENT_FILES} (21.6k articles: 4, 5,334
 * files; 200k: 32, 6,250 files).
 *
 * Why small: ranked hits land on unrelated fragments, so a page of n hits
 * reads about n fragments whatever their size, and the Worker parses every
 * article of each. At 16 a fragment, a page of 100 hits parsed 1,600
 * articles to show 100; at 4 it parses 400.
 */
export function articlesPerFragment(count: number): number {
  let perFragment = 4
  while (Math.ceil(count / perFragment) > MAX_FRAGMENT_FILES) perFragment *= 2
  return perFragment
}

/**
 * Compressed article bytes, in all, up to which the build also writes article
 * packs and the Worker keeps them all in memory: 8 MiB (the bundled 21.6k
 * articles: 7.6 MiB, from 20.2 MB of JSON). They are `ArrayBuffer`s, which
 * count in the 32 MB heap target (`npm run check:limits`) like the rest.
 *
 * Why: every fragment fetched for a hit leaves runtime objects (request,
 * response, stream) that V8's scavenger keeps until a full GC. With ten a
 * page, they were most of what each scavenge copied, and what filled the old
 * generation between mark-compacts (docs/benchmarks.md, "Article packs").
 * Uncompressed, the articles would not fit the heap target.
 */
export const MAX_PACKED_ARTICLE_BYTES = 8 << 20

/** Compressed article bytes per pack file, at most, its header aside (a single larger article gets a pack of its own): 2 MiB, so that the Worker loads one per request in the background (`SearchIndex.warm`). */
export const MAX_PACK_BYTES = 2 << 20

/** Bytes of the preset dictionary of the packs' DEFLATE: 32 KiB, DEFLATE's whole window. */
export const PACK_DICTIONARY_BYTES = 32 << 10

/**
 * `articles/pack-<p>.bin`, little-endian:
 * - header: 3 × u32: magic {@link PACK_MAGIC}, first article n0 (local internal number), article count A
 * - u32[A + 1] offsets: article n0 + i is `data[offsets[i] .. offsets[i + 1])`
 * - data: per article, the raw DEFLATE (RFC 1951) of its JSON as on its
 *   fragment line ({@link StoredArticle}, `JSON.stringify`), compressed with
 *   the preset dictionary `articles/dictionary.bin` ({@link PACK_DICTIONARY_BYTES}
 *   at most: pieces of articles spread over the corpus, so that each article,
 *   about 1 KB, compresses 2.5 times rather than 1.7)
 */
export const PACK_LAYOUT = { headerWords: 3 } as const
export const PACK_MAGIC = 0x344b4350 // "PCK4"

/**
 * Groups items (compressed articles) of `sizes` bytes into packs of
 * consecutive items of at most {@link MAX_PACK_BYTES} each: the first item of
 * each pack, then the item count. None when all of them together are over
 * {@link MAX_PACKED_ARTICLE_BYTES}.
 *
 * @example
 * ```ts
 * packBoundaries([1 << 20, 1 << 20, 1 << 20]) // [0, 2, 3]: items 0–1, then 2
 * ```
 */
export function packBoundaries(sizes: readonly number[]): number[] {
  if (sizes.reduce((sum, size) => sum + size, 0) > MAX_PACKED_ARTICLE_BYTES) return []
  const first: number[] = []
  let bytes = Infinity
  sizes.forEach((size, i) => {
    if (bytes + size > MAX_PACK_BYTES) {
      first.push(i)
      bytes = 0
    }
    bytes += size
  })
  if (first.length > 0) first.push(sizes.length)
  return first
}

/** File names inside the out dir. */
export const FILES = {
  manifest: 'manifest.json',
  terms: 'terms.bin',
  docs: 'docs.bin',
  ids: 'ids.json',
  postings: (chunk: number) => `postings/${chunk}.bin`,
  positions: (chunk: number) => `positions/${chunk}.bin`,
  fragment: (k: number) => `articles/${k}.json`,
  pack: (p: number) => `articles/pack-${p}.bin`,
  packDictionary: 'articles/dictionary.bin',
  reference: 'reference/minisearch.json',
} as const

/**
 * `terms.bin`, little-endian, every section 4-byte aligned:
 * - header: 4 × u32: magic {@link TERMS_MAGIC}, termCount T, fieldCount F, code units C
 * - u32[T + 1] `termStart`: term t is `chars[termStart[t] .. termStart[t + 1])`
 * - u32[T × F] `df`: documents of the whole corpus with term t in field f
 * - u32[T × F + 1] `postStart`: byte offset of the postings of (t, f) in the
 *   concatenation of all chunks; the segment ends where (t, f + 1) starts
 * - u16[C] `chars`: the terms, in code-unit order (JS `<` on strings)
 */
export const TERMS_LAYOUT = { headerWords: 4 } as const
export const TERMS_MAGIC = 0x33534d54 // "TMS3"

/**
 * `docs.bin`, little-endian:
 * - header: 4 × u32: magic {@link DOCS_MAGIC}, document count n, fieldCount F, topic entries E
 * - f64[n] dates: ms since 1970 (UTC; a date without a zone is read as UTC),
 *   NaN when undated. At byte 16, so 8-byte aligned. Non-increasing in the
 *   internal number, undated last (internal numbers are date order)
 * - u32[n × F] field lengths, as MiniSearch counts them
 * - u32[n + 1] `topicStart`: the topic ids of document d are `topicIds[topicStart[d] .. topicStart[d + 1])`
 * - u32[n] `idOrder`: internal numbers sorted by article id (code units), for binary search
 * - u16[E] `topicIds`: indexes into `manifest.topics`
 */
export const DOCS_LAYOUT = { headerWords: 4 } as const
export const DOCS_MAGIC = 0x33434f44 // "DOC3"

/**
 * `positions/<c>.bin`, little-endian: the token positions of the terms of
 * postings chunk c (terms [firstTerm[c], firstTerm[c + 1]), K = terms × F):
 * - header: 2 × u32: magic {@link POSITIONS_MAGIC}, K
 * - u32[K + 1] offsets: the positions of (firstTerm[c] + i, f) start at byte
 *   `offsets[i * F + f]` of the data section and end where the next begin
 * - the data: for each (term, field), for each document of its postings in
 *   postings order, exactly tf LEB128 varints: the first position, then the
 *   gaps to the next (≥ 1). tf comes from the postings, so no count is stored.
 *
 * Positions count raw tokens (`tokenize`), before `processTerm`: every term of
 * a token (a hyphenated word yields several) shares the token's position. A
 * token that yields terms advances the position by 2, a stop word (no term)
 * by 1 ({@link tokenAdvance}). So a phrase matches the same content words with
 * the same number of stop words between them — "bank of england" matches
 * "Bank of England" (bank at p, england at p + 3) and "bank in England", but
 * not "Bank New England" (p + 4) nor "bank, England" (p + 2).
 */
export const POSITIONS_LAYOUT = { headerWords: 2 } as const

/**
 * A file laid out as `headerWords` u32s (the magic first, a count K last),
 * then u32[K + 1] offsets, then the data they point into: positions chunks
 * ({@link POSITIONS_LAYOUT}) and article packs ({@link PACK_LAYOUT}), as
 * typed-array views. The bytes are copied first when they are not 4-byte
 * aligned (a Node Buffer from the pool may not be). Undefined when the magic
 * is not `magic` or the table does not fit in the file.
 */
export function readOffsetTable(bytes: Uint8Array, headerWords: number, magic: number): { header: Uint32Array; offsets: Uint32Array; data: Uint8Array } | undefined {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice()
  if (aligned.byteLength < 4 * headerWords) return undefined
  const header = new Uint32Array(aligned.buffer, aligned.byteOffset, headerWords)
  const count = header[headerWords - 1]!
  if (header[0] !== magic || aligned.byteLength < 4 * (headerWords + count + 1)) return undefined
  const offsets = new Uint32Array(aligned.buffer, aligned.byteOffset + 4 * headerWords, count + 1)
  return { header, offsets, data: aligned.subarray(4 * (headerWords + count + 1)) }
}

/**
 * The part of a table split by `first` (part p starts at `first[p]`,
 * ascending) that holds `x`: the last p with `first[p] ≤ x`. Postings chunks
 * by term (`IndexLayout.postings.firstTerm`), article packs by article
 * (`IndexLayout.packs.firstArticle`).
 */
export function partOf(first: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = first.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (first[mid]! <= x) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** How far a token moves the position: 2 when it yields terms, 1 for a stop word (see {@link POSITIONS_LAYOUT}). */
export function tokenAdvance(terms: readonly string[]): number {
  return terms.length > 0 ? 2 : 1
}
export const POSITIONS_MAGIC = 0x33534f50 // "POS3"

/** Throws when artefacts were written by a build of another format version. */
export function assertFormatVersion(version: unknown): void {
  if (version !== FORMAT_VERSION) {
    throw new Error(`index format version ${String(version)} is not supported (this Worker reads version ${FORMAT_VERSION}); rebuild with npm run build`)
  }
}
