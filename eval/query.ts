/**
 * Fitting a collection's query into the API's `q` (at most 200 characters).
 *
 * A longer query is cut at the last word boundary that fits, never inside a
 * word, and the harness counts and reports every query it cut: the figures are
 * then for the truncated text, which is what a client of the API could send.
 */

/** The API's `q` limit, in UTF-16 code units as zod's `.max()` counts them (README, `GET /search`). */
export const MAX_QUERY_LENGTH = 200

export interface FittedQuery {
  q: string
  truncated: boolean
}

/** Collapses whitespace, then cuts at the last word boundary within `max` characters. */
export function fitQuery(text: string, max = MAX_QUERY_LENGTH): FittedQuery {
  const q = text.replace(/\s+/g, ' ').trim()
  if (q.length <= max) return { q, truncated: false }
  const head = q.slice(0, max + 1)
  const cut = head.lastIndexOf(' ')
  if (cut > 0) return { q: head.slice(0, cut).trimEnd(), truncated: true }
  // One word longer than the limit: a hard cut, not inside a surrogate pair.
  let end = max
  const code = q.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end -= 1
  return { q: q.slice(0, end), truncated: true }
}
