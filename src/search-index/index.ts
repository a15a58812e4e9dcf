/**
 * The loaded search index: the engine over the compiled index (format
 * version 4), the article ids, the topic tables, and the article fragments,
 * fetched only for the hits shown and kept in a small LRU.
 *
 * Up front the Worker reads `manifest.json`, `terms.bin`, `docs.bin` and
 * `ids.json` — typed-array views, no object per term or per posting. Postings
 * chunks are fetched when a query first needs them and cached (LRU by
 * bytes), positions chunks likewise but only for phrases; article fragments
 * likewise, kept as bytes (LRU by article count), of which a request parses
 * only the articles it shows. After the first answers, the Worker loads the
 * remaining chunks and, when the index has them, the article packs, one a
 * request ({@link SearchIndex.warm}); from then on a query fetches nothing.
 *
 * All lookup tables keyed by user input are `Map`s or binary searches, never
 * plain objects, so an id or topic such as `__proto__` or `constructor` is
 * just a missing key.
 *
 * @example
 * ```ts
 * const index = await loadSearchIndex(assetSource(env.ASSETS))
 * await index.article(index.numberOf('putin-meets-syria-on-defense-industry')!)
 * ```
 */
import { Engine, type PostingsSource } from '../engine'
import {
  FILES,
  assertFormatVersion,
  fragmentArticle,
  fragmentHeader,
  type Manifest,
  type StoredArticle,
  type TopicCount,
} from '../index-format'
import { IdList } from './ids'
import { LruCache } from './lru'
import { ArticlePacks } from './packs'

/** Where the artefacts come from: the ASSETS binding in the Worker, files in Node. */
export interface ArtefactSource {
  json<T>(name: string): Promise<T>
  bytes(name: string): Promise<Uint8Array>
}

/**
 * What the isolate keeps of what it read, within the 32 MB heap budget
 * (docs/benchmarks.md): at 200k articles, caches of 16 + 16 MiB and 256
 * fragments of 32 articles held 105 MiB after 1,001 queries. The limits a
 * loaded index uses come from {@link cacheLimitsFor}.
 */
export interface CacheLimits {
  /** Bytes of postings chunks kept. Default 8 MiB (the bundled data's are 3.2 MiB in all). */
  postingsBytes: number
  /** Bytes of positions chunks kept (phrase queries only). Default 4 MiB (3.6 MiB in all here). */
  positionsBytes: number
  /** Articles kept, counted in whole fragments. Default 1,024: 256 fragments of 4, far more than the 20 fragments a page (`limit` ≤ 20) can need, so that the pages of recent queries stay cached. */
  articles: number
}

/** The largest caches, for an index whose tables leave room for them (the bundled data's). */
export const DEFAULT_CACHE_LIMITS: CacheLimits = { postingsBytes: 8 << 20, positionsBytes: 4 << 20, articles: 1024 }

/** The least share of {@link DEFAULT_CACHE_LIMITS} an index gets: a quarter, still a page's fragments and a few queries' chunks. */
export const MIN_CACHE_SHARE = 0.25

/** {@link DEFAULT_CACHE_LIMITS} times `share`, each limit rounded. */
function scaledLimits(share: number): CacheLimits {
  const max = DEFAULT_CACHE_LIMITS
  return { postingsBytes: Math.round(max.postingsBytes * share), positionsBytes: Math.round(max.positionsBytes * share), articles: Math.round(max.articles * share) }
}

/** The smallest caches: 2 MiB, 1 MiB and 256 articles. */
export const MIN_CACHE_LIMITS: CacheLimits = scaledLimits(MIN_CACHE_SHARE)

/**
 * Heap that the loaded tables and the caches may take together: 26 MiB of the
 * 32 MB (30.5 MiB) a Worker may keep, the rest left to code, Hono and the
 * requests in flight.
 */
export const INDEX_HEAP_SHARE = 26 << 20

/**
 * Heap per byte of the startup tables (`terms.bin`, `docs.bin`, `ids.json`)
 * once loaded: an id costs several times its JSON bytes as a string. Measured
 * in workerd after load: 27.5 MiB for 13.1 MB of tables (200k synthetic
 * articles), 21.8 MiB for 8.4 MB (a 100k shard of 1M), code included.
 */
export const HEAP_PER_TABLE_BYTE = 2.5

/**
 * Cache limits for an index whose startup tables are `tableBytes` long: what
 * {@link INDEX_HEAP_SHARE} leaves after the tables, shared out as
 * {@link DEFAULT_CACHE_LIMITS} shares it, between {@link MIN_CACHE_LIMITS}
 * and {@link DEFAULT_CACHE_LIMITS}. A small index gets the largest caches; a
 * 100k shard about half of them. A smaller cache costs asset reads, not
 * answers: a query's chunks are held while it runs, whatever the limit.
 *
 * @example
 * ```ts
 * cacheLimitsFor(4_057_575) // the bundled data: DEFAULT_CACHE_LIMITS
 * ```
 */
export function cacheLimitsFor(tableBytes: number): CacheLimits {
  const room = INDEX_HEAP_SHARE - HEAP_PER_TABLE_BYTE * tableBytes
  const largest = DEFAULT_CACHE_LIMITS.postingsBytes + DEFAULT_CACHE_LIMITS.positionsBytes
  return scaledLimits(Math.min(1, Math.max(MIN_CACHE_SHARE, room / largest)))
}

export interface SearchIndex {
  manifest: Manifest
  engine: Engine
  /** Article ids by internal number (`ids.at(n)`). */
  ids: IdList
  /** Topic by slug. */
  topicBySlug: Map<string, TopicCount>
  /** Topic id (position in `manifest.topics`) by slug. */
  topicIdBySlug: Map<string, number>
  /** Slug by lower-cased display name or slug. */
  slugByKey: Map<string, string>
  /** Internal number of an article id, or undefined. */
  numberOf(id: string): number | undefined
  /** Articles by internal number, in the order given: from the packs once loaded, else from their fragments. */
  articles(numbers: readonly number[]): Promise<StoredArticle[]>
  /**
   * One step of loading what the isolate keeps for good; resolves to the
   * number of files fetched, 0 once nothing is left. The Worker runs a step
   * after each answer (`waitUntil`) until one resolves to 0, so that later
   * queries wait on no fetch.
   *
   * The first step loads the chunks not cached yet, one at a time: every
   * postings chunk when all of them fit in the postings cache
   * ({@link CacheLimits}), then every positions chunk when all of those fit
   * in theirs (docs/benchmarks.md, "Chunks warmed after the first answer").
   * A kind that does not fit is left alone, so warming never evicts; within
   * the limits, the heap stays within the budget the limits were sized to
   * ({@link cacheLimitsFor}).
   *
   * Each later step loads one article pack (`IndexLayout.packs`, 2 MiB at
   * most), after which the articles of its fragments are read from memory
   * (docs/benchmarks.md, "Article packs"). A large index (200k articles, a
   * 100k shard) has no packs and chunks that do not fit, and its queries
   * load what they need as before.
   */
  warm(): Promise<number>
  /** Cache state, for tests and diagnostics. */
  cacheStats(): { postingsChunks: number; postingsBytes: number; positionsChunks: number; positionsBytes: number; fragments: number; fragmentFetches: number; packs: number; packBytes: number; limits: CacheLimits }
}

/** An {@link ArtefactSource} over the Worker's static assets. */
export function assetSource(assets: Fetcher): ArtefactSource {
  const read = async (name: string) => {
    // The host is never contacted: the ASSETS binding serves by path only.
    const response = await assets.fetch(`https://assets.invalid/${name}`)
    if (!response.ok) throw new Error(`index artefact ${name} is missing (HTTP ${response.status}); run npm run build`)
    return response
  }
  return {
    json: async <T>(name: string) => (await read(name)).json<T>(),
    bytes: async (name: string) => new Uint8Array(await (await read(name)).arrayBuffer()),
  }
}

/** Loads the index from `source`. `limits`: cache limits; by default {@link cacheLimitsFor} the tables read. */
export async function loadSearchIndex(source: ArtefactSource, limits: Partial<CacheLimits> = {}): Promise<SearchIndex> {
  const manifest = await source.json<Manifest>(FILES.manifest)
  assertFormatVersion(manifest.formatVersion)
  const layout = manifest.index
  const [terms, docs, idBytes] = await Promise.all([source.bytes(FILES.terms), source.bytes(FILES.docs), source.bytes(FILES.ids)])
  const ids = IdList.parse(idBytes)
  const tableBytes = terms.byteLength + docs.byteLength + idBytes.byteLength
  const { postingsBytes, positionsBytes, articles: articleLimit } = { ...cacheLimitsFor(tableBytes), ...limits }

  const postings = cachedChunks(layout.postings, postingsBytes, source)
  const positions = cachedChunks(layout.positions, positionsBytes, source)
  const engine = new Engine({ layout, terms, docs, postings, positions })

  const perFragment = layout.fragments.perFragment
  // Fragments are cached as their bytes, and each request parses only the
  // articles it shows (fragmentArticle). A cached parsed fragment is a tree of
  // young objects that V8's scavenger copies once or twice before promoting
  // it; with a new page of hits per query, that churn was most of what
  // survived each scavenge and set its pause (docs/benchmarks.md, "What
  // survives a scavenge"). Bytes live outside the JS heap, and a parsed
  // article dies with its request. At 200k articles (32 to a fragment) the
  // fetched bytes bring more mark-compacts instead; cached text was worse on
  // the bundled data (same section).
  const fragments = new LruCache<number, Uint8Array>(articleLimit, () => perFragment)
  const utf8 = new TextDecoder()
  let fragmentFetches = 0
  const fragment = (k: number) =>
    fragments.get(k, async () => {
      fragmentFetches++
      const bytes = await source.bytes(FILES.fragment(k))
      assertFormatVersion(fragmentHeader(bytes, utf8).formatVersion)
      return bytes
    })

  const packs = new ArticlePacks(layout.packs, source, utf8)
  let chunksWarmed = false

  const topicBySlug = new Map(manifest.topics.map((topic) => [topic.slug, topic]))
  const topicIdBySlug = new Map(manifest.topics.map((topic, i) => [topic.slug, i]))
  const slugByKey = new Map<string, string>()
  for (const topic of manifest.topics) {
    slugByKey.set(topic.slug.toLowerCase(), topic.slug)
    slugByKey.set(topic.name.toLowerCase(), topic.slug)
  }
  return {
    manifest,
    engine,
    ids,
    topicBySlug,
    topicIdBySlug,
    slugByKey,
    numberOf(id) {
      const n = engine.docs.numberOf(id, ids)
      return n < 0 ? undefined : n
    },
    async articles(numbers) {
      // From the packs when they hold them: no fetch, no promise per fragment.
      const packed = numbers.map((n) => packs.article(n))
      const missing = new Set<number>()
      numbers.forEach((n, i) => {
        if (!packed[i]) missing.add(Math.floor(n / perFragment))
      })
      const loaded = new Map(await Promise.all([...missing].map(async (k) => [k, await fragment(k)] as const)))
      return numbers.map((n, i) => {
        const bytes = loaded.get(Math.floor(n / perFragment))
        const article = packed[i] ?? (bytes && fragmentArticle(bytes, n % perFragment, utf8))
        if (!article) throw new Error(`article ${n} is missing from its fragment`)
        return article
      })
    },
    async warm() {
      if (!chunksWarmed) {
        const fetched = (await postings.warm()) + (await positions.warm())
        chunksWarmed = true
        if (fetched > 0) return fetched
      }
      const fetched = await packs.loadNext()
      // Once every article is in memory, the fragments cached before are dead weight.
      if (packs.loaded > 0 && packs.loaded === layout.packs.files.length) fragments.clear()
      return fetched
    },
    cacheStats: () => ({
      postingsChunks: postings.cache.size,
      postingsBytes: postings.cache.weight,
      positionsChunks: positions.cache.size,
      positionsBytes: positions.cache.weight,
      fragments: fragments.size,
      fragmentFetches,
      packs: packs.loaded,
      packBytes: packs.bytes,
      limits: { postingsBytes, positionsBytes, articles: articleLimit },
    }),
  }
}

/**
 * One kind of chunk files (postings or positions) read through an LRU of
 * `capacity` bytes: what the engine reads ({@link PostingsSource}), and
 * `warm`, which fetches each file the cache lacks when all of them (`bytes`)
 * fit in it, and resolves to the number fetched.
 */
function cachedChunks({ files, bytes }: { files: string[]; bytes: number[] }, capacity: number, source: ArtefactSource) {
  const cache = new LruCache<number, Uint8Array>(capacity, (chunk) => chunk.byteLength)
  const load = (chunk: number) => source.bytes(files[chunk]!)
  return {
    cache,
    get: (chunk: number) => cache.peek(chunk),
    load: async (wanted: readonly number[]) => new Map(await Promise.all(wanted.map(async (chunk) => [chunk, await cache.get(chunk, () => load(chunk))] as const))),
    async warm(): Promise<number> {
      if (bytes.reduce((sum, size) => sum + size, 0) > capacity) return 0
      let fetched = 0
      for (let chunk = 0; chunk < files.length; chunk++) {
        if (cache.peek(chunk)) continue
        cache.set(chunk, await load(chunk))
        fetched++
      }
      return fetched
    },
  } satisfies PostingsSource & { cache: LruCache<number, Uint8Array>; warm(): Promise<number> }
}

/** Resolves a topic as a user wrote it (name or slug, any case) to its slug. */
export function resolveTopic(index: SearchIndex, topic: string): string | undefined {
  return index.slugByKey.get(topic.trim().toLowerCase())
}

/** The display name of a topic slug. */
export function topicName(index: SearchIndex, slug: string): string {
  return index.topicBySlug.get(slug)?.name ?? slug
}
