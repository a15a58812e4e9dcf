/**
 * A small least-recently-used cache of loaded values, bounded by a total
 * weight (bytes, or a count).
 *
 * It caches values, never in-flight loads: in workerd a request that awaits a
 * fetch started by another request can be cancelled as hung when that other
 * request ends (the load test saw 500s "your Worker's code had hung"). Two
 * cold requests for the same chunk therefore both fetch it; the second result
 * replaces the first.
 *
 * @example
 * ```ts
 * const cache = new LruCache<number, Uint8Array>(16 << 20, (bytes) => bytes.byteLength)
 * const chunk = await cache.get(3, () => fetchChunk(3))
 * ```
 */
export class LruCache<K, V> {
  private readonly values = new Map<K, V>()
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
    const value = await load()
    this.set(key, value)
    return value
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

  /** Drops every value. */
  clear(): void {
    this.values.clear()
    this.total = 0
  }

  get size(): number {
    return this.values.size
  }

  get weight(): number {
    return this.total
  }
}
