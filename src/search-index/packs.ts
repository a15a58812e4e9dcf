/**
 * The article packs of an index (`IndexLayout.packs`, {@link PACK_LAYOUT}),
 * held in memory once loaded: a hit's article is inflated from its pack
 * instead of being fetched from its fragment. A fetch leaves runtime objects
 * that survive V8's scavenges until a full GC; inflating leaves only the
 * article's own young objects (docs/benchmarks.md, "Article packs").
 *
 * `loadNext` loads the dictionary and the first pack, then one pack a call;
 * the Worker calls it after answers, in the background (`SearchIndex.warm`).
 * No global state: each loaded index has its own.
 *
 * @example
 * ```ts
 * const packs = new ArticlePacks(manifest.index.packs, assetSource(env.ASSETS))
 * while ((await packs.loadNext()) > 0);
 * packs.article(0) // the newest article, or undefined while its pack is not loaded
 * ```
 */
import { FORMAT_VERSION, PACK_LAYOUT, PACK_MAGIC, partOf, readOffsetTable, type IndexLayout, type StoredArticle } from '../index-format'
import type { ArtefactSource } from '.'

/** `inflateRawSync` of `node:zlib`, as the packs use it. */
type InflateRaw = (data: Uint8Array, options: { dictionary?: Uint8Array }) => Uint8Array

interface LoadedPack {
  offsets: Uint32Array
  data: Uint8Array
}

export class ArticlePacks {
  private readonly packs: (LoadedPack | undefined)[]
  private readonly loading = new Set<number>()
  /** Packs that failed to load or check: not tried again, their articles come from the fragments. */
  private readonly failed = new Set<number>()
  private dictionary: Uint8Array | undefined
  /**
   * Imported with the first pack, not with the Worker: `node:zlib` brings in
   * the runtime's Node modules, and loading them at startup cost about 10 ms
   * of the 50 ms startup budget (`npm run check:limits`).
   */
  private inflate: InflateRaw | undefined

  constructor(
    private readonly layout: IndexLayout['packs'],
    private readonly source: ArtefactSource,
    private readonly utf8 = new TextDecoder(),
  ) {
    this.packs = layout.files.map(() => undefined)
  }

  /** Packs loaded. */
  get loaded(): number {
    return this.packs.filter((pack) => pack !== undefined).length
  }

  /** Bytes held: the loaded packs (header, offsets and data) and the dictionary. */
  get bytes(): number {
    let bytes = this.dictionary?.byteLength ?? 0
    for (const pack of this.packs) if (pack) bytes += 4 * (PACK_LAYOUT.headerWords + pack.offsets.length) + pack.data.byteLength
    return bytes
  }

  /** Article `n` (local internal number) from its pack, or undefined while that pack is not loaded. */
  article(n: number): StoredArticle | undefined {
    const { firstArticle } = this.layout
    const p = partOf(firstArticle, n)
    const pack = this.packs[p]
    if (!pack || n < firstArticle[p]! || n >= firstArticle[p + 1]!) return undefined
    const i = n - firstArticle[p]!
    const text = this.inflate!(pack.data.subarray(pack.offsets[i], pack.offsets[i + 1]), { dictionary: this.dictionary })
    return JSON.parse(this.utf8.decode(text)) as StoredArticle
  }

  /**
   * Loads the first pack neither loaded, loading nor failed (with the
   * dictionary, when it is not loaded yet); resolves to the files fetched, 0
   * when no pack is left. A pack that fails is not tried again.
   */
  async loadNext(): Promise<number> {
    const p = this.packs.findIndex((pack, p) => !pack && !this.loading.has(p) && !this.failed.has(p))
    if (p < 0 || this.layout.dictionary === null) return 0
    this.loading.add(p)
    try {
      let fetched = 0
      this.inflate ??= (await import('node:zlib')).inflateRawSync
      if (!this.dictionary) {
        const dictionary = await this.source.bytes(this.layout.dictionary)
        this.dictionary ??= dictionary // another load may have set it meanwhile
        fetched++
      }
      const name = this.layout.files[p]!
      this.packs[p] = readPack(await this.source.bytes(name), name, this.layout.firstArticle[p]!, this.layout.firstArticle[p + 1]! - this.layout.firstArticle[p]!)
      return fetched + 1
    } catch (error) {
      // A broken pack would otherwise be fetched again after every answer, 2 MiB each time.
      this.failed.add(p)
      throw error
    } finally {
      this.loading.delete(p)
    }
  }
}

/** A pack file's offsets and data, after checking that it holds the `count` articles from `first`. */
function readPack(file: Uint8Array, name: string, first: number, count: number): LoadedPack {
  const table = readOffsetTable(file, PACK_LAYOUT.headerWords, PACK_MAGIC)
  if (!table || table.header[1] !== first || table.header[2] !== count) {
    throw new Error(`${name}: not the article pack of articles ${first}–${first + count - 1} of format version ${FORMAT_VERSION}`)
  }
  return { offsets: table.offsets, data: table.data }
}
