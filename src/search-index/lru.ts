/**
 * A small least-recently-used cache of loaded values, bounded by a total
 * weight (bytes, or a count), that also shares in-flight loads: two requests
 * that need the same fragment or chunk at once fetch it once.
 *
 * @example
 * ```ts
 * const cache = new LruCache<number, Uint8Array>(16 << 20, (bytes) => bytes.byteLength)
 * const chunk = await cache.get(3, () => fetchChunk(3))
 * ```
 */
export class LruCache<K, V> {
  private readonly values = new Map<K, V>()
  private readonly pending = new Map<K, Promise<V>>()
  private total = 0

  constructor(
    readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  /** The cached value, marked as most recently used; undefined when absent. */
  peek(key: K): V | undefined {
    const value = this.values.get(key)
    if (value !== undefined) {
      this.values.delete(key)
      this.values.set(key, value)
    }
    return value
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const cached = this.peek(key)
    if (cached !== undefined) return cached
    let promise = this.pending.get(key)
    if (!promise) {
      promise = load().then(
        (value) => {
          this.pending.delete(key)
          this.set(key, value)
          return value
        },
        (error: unknown) => {
          this.pending.delete(key)
          throw error
        },
      )
      this.pending.set(key, promise)
    }
    return promise
  }

  set(key: K, value: V): void {
    const old = this.values.get(key)
    if (old !== undefined) {
      this.total -= this.weigh(old)
      this.values.delete(key)
    }
    this.values.set(key, value)
    this.total += this.weigh(value)
    // Evict the least recently used, but never the value just added.
    for (const [oldest, oldValue] of this.values) {
      if (this.total <= this.capacity || oldest === key) break
      this.values.delete(oldest)
      this.total -= this.weigh(oldValue)
    }
  }

  get size(): number {
    return this.values.size
  }

  get weight(): number {
    return this.total
  }
}
