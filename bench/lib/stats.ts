/** Percentiles by the nearest-rank method over a copy of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}

export function sum(samples: readonly number[]): number {
  return samples.reduce((a, b) => a + b, 0)
}

export function fmtMs(ms: number | undefined | null, digits = 2): string {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return 'n/a'
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(digits)
}

export function fmtBytes(bytes: number | undefined | null): string {
  if (bytes === undefined || bytes === null || Number.isNaN(bytes)) return 'n/a'
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** ours / reference, or n/a. */
export function ratio(ours: number | undefined | null, reference: number | undefined | null): string {
  if (ours === undefined || ours === null || reference === undefined || reference === null) return 'n/a'
  if (Number.isNaN(ours) || Number.isNaN(reference) || reference === 0) return 'n/a'
  return `${(ours / reference).toFixed(2)}×`
}

/** A plain-text table with a header row, columns padded, Markdown-compatible. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
