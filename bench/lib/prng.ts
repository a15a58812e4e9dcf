/**
 * A small seeded PRNG (mulberry32) so that every benchmark run draws the same
 * queries and the synthetic generator writes the same corpus byte for byte.
 * Not for cryptography.
 */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }
}

/** The sequence of {@link Prng} as a plain function, for callers that only draw numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  const prng = new Prng(seed)
  return () => prng.next()
}
