/**
 * Turning the API's highlighted text into runs of plain and marked text, without ever parsing HTML.
 * The widget builds text nodes and `<mark>` elements from these runs.
 *
 * @example
 * ```ts
 * snippetRuns('<mark>oil</mark> &amp; gas') // [['oil', true], [' & gas', false]]
 * rangeRuns('oil and gas', [[0, 3]])        // [['oil', true], [' and gas', false]]
 * ```
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** Decodes the HTML entities the API's escaping produces (and numeric ones). Output is only ever used as text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return ENTITIES[name.toLowerCase()] ?? whole
  })
}

/**
 * Splits the API's snippet (escaped HTML whose only tags are `<mark>` and `</mark>`) into runs:
 * `[text, marked]`. Any other tag-like text stays literal text.
 */
export function snippetRuns(snippet: string): [string, boolean][] {
  const runs: [string, boolean][] = []
  let marked = false
  for (const part of snippet.split(/(<\/?mark>)/i)) {
    const tag = part.toLowerCase()
    if (tag === '<mark>') marked = true
    else if (tag === '</mark>') marked = false
    else if (part) runs.push([decodeEntities(part), marked])
  }
  return runs
}

/** Runs from plain text and `[start, end)` ranges (the API's `titleHighlights`); ranges that are not numbers are skipped. */
export function rangeRuns(text: string, ranges: [number, number][]): [string, boolean][] {
  const runs: [string, boolean][] = []
  let at = 0
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const s = Math.max(start, at)
    const e = Math.min(end, text.length)
    if (!(e > s)) continue
    if (s > at) runs.push([text.slice(at, s), false])
    runs.push([text.slice(s, e), true])
    at = e
  }
  if (at < text.length) runs.push([text.slice(at), false])
  return runs
}
