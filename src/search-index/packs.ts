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
import { FORMAT_VERSION, PACK_LAYOUT, PACK_MAGIC, type IndexLayout, type StoredArticle } from '../index-format'
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
  private packCount = 0
  private byteCount = 0

  constructor(
    private readonly layout: IndexLayout['packs'],
    private readonly source: ArtefactSource,
    private readonly utf8 = new TextDecoder(),
  ) {
    this.packs = layout.files.map(() => undefined)
  }

  /** Packs loaded. */
  get loaded(): number {
    return this.packCount
  }

  /** Bytes held: the loaded packs and the dictionary. */
  get bytes(): number {
    return this.byteCount
  }

  /** Article `n` (local internal number) from its pack, or undefined while that pack is not loaded. */
  article(n: number): StoredArticle | undefined {
    if (this.packCount === 0) return undefined
    const { firstArticle } = this.layout
    const p = this.packOf(n)
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
        if (!this.dictionary) {
          this.dictionary = dictionary
          this.byteCount += dictionary.byteLength
        }
        fetched++
      }
      const name = this.layout.files[p]!
      const file = await this.source.bytes(name)
      this.packs[p] = readPack(file, name, this.layout.firstArticle[p]!, this.layout.firstArticle[p + 1]! - this.layout.firstArticle[p]!)
      this.packCount++
      this.byteCount += file.byteLength
      return fetched + 1
    } catch (error) {
      // A broken pack would otherwise be fetched again after every answer, 2 MiB each time.
      this.failed.add(p)
      throw error
    } finally {
      this.loading.delete(p)
    }
  }

  /** The pack that would hold article n: the last p with firstArticle[p] ≤ n. */
  private packOf(n: number): number {
    const { firstArticle } = this.layout
    let low = 0
    let high = this.packs.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (firstArticle[mid]! <= n) low = mid
      else high = mid - 1
    }
    return low
  }
}

/** A pack file's offsets and data, after checking that it holds the `count` articles from `first`. */
function readPack(file: Uint8Array, name: string, first: number, count: number): LoadedPack {
  // A Uint32Array view needs a 4-byte aligned offset (a Node Buffer from the pool may have another).
  const aligned = file.byteOffset % 4 === 0 ? file : file.slice()
  const words = PACK_LAYOUT.headerWords
  const header = new Uint32Array(aligned.buffer, aligned.byteOffset, Math.min(words, aligned.byteLength >> 2))
  if (header[0] !== PACK_MAGIC || header[1] !== first || header[2] !== count) {
    throw new Error(`${name}: not the article pack of articles ${first}–${first + count - 1} of format version ${FORMAT_VERSION}`)
  }
  const offsets = new Uint32Array(aligned.buffer, aligned.byteOffset + 4 * words, count + 1)
  return { offsets, data: aligned.subarray(4 * (words + count + 1)) }
}
