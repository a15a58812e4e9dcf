/**
 * Markdown with YAML front matter (`.md`, `.markdown`), read with gray-matter.
 *
 * Front matter keys: `id`, `title`, `summary` (or `description`), `date`,
 * `source`, `url`, `topics` (or `tags`). The body is the Markdown content.
 *
 * YAML turns an unquoted `date: 2025-12-24` into a JavaScript `Date`, which
 * loses whether the source had a time, a fraction or a zone. So for a `Date`
 * value the scalar is read back from the raw front matter text and parsed like
 * any other date string; only if that fails is the `Date` itself used.
 *
 * @example
 * ```ts
 * const [record] = parseMarkdown('ad-sales.md', '---\ntitle: Ad sales\ntags: [business]\n---\nText', { fieldMap: {} })
 * ```
 */
import { basename, extname } from 'node:path'
import matter from 'gray-matter'
import type { Parser, RawFields } from './types'

/** The text of a top-level `key: value` scalar in raw YAML, without quotes or comment. */
function rawScalar(yaml: string, key: string): string | undefined {
  const match = new RegExp(`^${key}[ \\t]*:[ \\t]*(["']?)([^"'#\\n]*?)\\1[ \\t]*(?:#.*)?$`, 'm').exec(yaml)
  return match?.[2]
}

function plain(value: unknown, yaml: string, key: string): unknown {
  if (value instanceof Date) return rawScalar(yaml, key) ?? value.toISOString()
  return value
}

export const parseMarkdown: Parser = function* (file, text) {
  let parsed: matter.GrayMatterFile<string>
  try {
    // Passing options turns off gray-matter's cache, which would keep every file's text alive.
    parsed = matter(text, { excerpt: false })
  } catch (error) {
    yield { line: 1, reason: `invalid front matter: ${(error as Error).message.split('\n')[0]}` }
    return
  }
  const data = parsed.data as Record<string, unknown>
  const pick = (...keys: string[]): unknown => {
    const key = keys.find((name) => data[name] !== undefined && data[name] !== null)
    return key === undefined ? undefined : plain(data[key], parsed.matter, key)
  }
  const fields: RawFields = {
    id: pick('id'),
    title: pick('title'),
    summary: pick('summary', 'description'),
    date: pick('date'),
    source: pick('source'),
    url: pick('url'),
    topics: pick('topics', 'tags'),
    body: parsed.content,
  }
  yield { line: 1, fields, fallbackId: basename(file, extname(file)) }
}
