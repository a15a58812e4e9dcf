/**
 * The per-document table of `docs.bin`, read in place: dates (ms since 1970,
 * NaN when undated) for date ranges, sort and recency, field lengths for
 * BM25, topic ids for the filter and facets, and the id order for looking up
 * an article id without a Map.
 */
import { DOCS_LAYOUT, DOCS_MAGIC, FORMAT_VERSION } from '../index-format'

/** Article ids by internal number: a plain array, or the Worker's `IdList` (src/search-index/ids.ts), which makes no string per id. */
export interface IdLookup {
  readonly length: number
  at(n: number): string | undefined
}

export class DocTable {
  readonly count: number
  readonly fieldCount: number
  /** Date of document d in ms since 1970 (UTC), NaN when undated; non-increasing in d, undated last. */
  readonly dates: Float64Array
  /** Length of field f of document d at `d * fieldCount + f`. */
  readonly fieldLength: Uint32Array
  readonly topicStart: Uint32Array
  /** Internal numbers sorted by article id. */
  readonly idOrder: Uint32Array
  readonly topicIds: Uint16Array

  constructor(bytes: Uint8Array) {
    if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice()
    const header = new Uint32Array(bytes.buffer, bytes.byteOffset, DOCS_LAYOUT.headerWords)
    if (header[0] !== DOCS_MAGIC) throw new Error(`docs.bin: not a document table of format version ${FORMAT_VERSION}`)
    const n = header[1]!
    const F = header[2]!
    const E = header[3]!
    let offset = bytes.byteOffset + DOCS_LAYOUT.headerWords * 4
    const u32 = (count: number) => {
      const view = new Uint32Array(bytes.buffer, offset, count)
      offset += count * 4
      return view
    }
    this.count = n
    this.fieldCount = F
    this.dates = new Float64Array(bytes.buffer, offset, n)
    offset += n * 8
    this.fieldLength = u32(n * F)
    this.topicStart = u32(n + 1)
    this.idOrder = u32(n)
    if (offset + E * 2 > bytes.byteOffset + bytes.byteLength) throw new Error('docs.bin: truncated')
    this.topicIds = new Uint16Array(bytes.buffer, offset, E)
  }

  /** Whether document d carries any of the topics marked in `wanted` (by topic id). */
  hasAnyTopic(d: number, wanted: Uint8Array): boolean {
    for (let i = this.topicStart[d]!, end = this.topicStart[d + 1]!; i < end; i++) if (wanted[this.topicIds[i]!]) return true
    return false
  }

  /**
   * The documents dated within [from, to] (ms, inclusive) as a range of
   * internal numbers [lo, hi), by binary search: dates are non-increasing in
   * the internal number and undated documents come last (never in a range).
   */
  dateRange(from: number, to: number): [number, number] {
    const dates = this.dates
    // First document not newer than `to`.
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (dates[mid]! > to) lo = mid + 1
      else hi = mid
    }
    const start = lo
    // First document older than `from`, or undated (NaN compares false).
    hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (dates[mid]! >= from) lo = mid + 1
      else hi = mid
    }
    return [start, lo]
  }

  /** Internal number of the article with `id`, by binary search over `idOrder`; -1 when absent. */
  numberOf(id: string, ids: IdLookup): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const candidate = ids.at(this.idOrder[mid]!)!
      if (candidate < id) lo = mid + 1
      else hi = mid
    }
    if (lo < this.count && ids.at(this.idOrder[lo]!) === id) return this.idOrder[lo]!
    return -1
  }
}
