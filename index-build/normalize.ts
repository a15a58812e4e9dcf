/**
 * From a record as read to a {@link StoredArticle}: one place, for every format.
 *
 * - Types: `id` is a string or a number; `title`, `summary`, `body`, `source`,
 *   `url` and `date` are strings; `topics` is a string or an array of strings.
 *   `null` counts as absent. Anything else rejects the record, because a
 *   wrongly typed field means the source is not what we think it is.
 * - Strings are trimmed; `summary`, `source` and `url` default to `''`,
 *   `topics` to `[]`.
 * - Ids are stable across builds: the explicit `id`, else the parser's
 *   fallback (file name for one-article files, `<stem>-<line>` for JSON Lines).
 * - A record with neither title nor body is rejected: it could never be found.
 * - Dates go through `./dates.ts`. A bad date is only a warning: the article is
 *   kept with `date: null`, since its text is still worth finding.
 *
 * @example
 * ```ts
 * const result = normalizeRecord({ line: 1, fields: { title: 'A', date: '31/02/2025' }, fallbackId: 'a' })
 * // { article: { id: 'a', title: 'A', date: null, … }, topics: [], warnings: [{ line: 1, message: 'invalid date …' }] }
 * ```
 */
import type { RelatedLink, StoredArticle, Topic } from '../src/index-format'
import { parseDate } from './dates'
import type { ArticleField, RawRecord, RecordWarning } from './formats'
import { topicSlug } from './topics'

export interface NormalizedRecord {
  /** `topics` holds slugs, deduplicated, in input order. */
  article: StoredArticle
  /** Display name and slug of each of the article's topics, in the same order. */
  topics: Topic[]
  warnings: RecordWarning[]
}

export type NormalizeResult = NormalizedRecord | { reason: string }

class FieldTypeError extends Error {}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

export function normalizeRecord(record: RawRecord): NormalizeResult {
  const { fields } = record
  const fieldName = (field: ArticleField): string => {
    const source = record.sourceNames?.[field]
    return source && source !== field ? `"${field}" (source field "${source}")` : `"${field}"`
  }
  const typeError = (field: ArticleField, expected: string): never => {
    throw new FieldTypeError(`field ${fieldName(field)} must be ${expected}, got ${describe(fields[field])}`)
  }
  const text = (field: ArticleField): string => {
    const value = fields[field]
    if (value === undefined || value === null) return ''
    if (typeof value !== 'string') return typeError(field, 'a string')
    return value.trim()
  }

  try {
    const title = text('title')
    const body = text('body')
    const summary = text('summary')
    const source = text('source')
    const url = text('url')
    const rawDate = text('date')

    let id = record.fallbackId
    const rawId = fields.id
    if (typeof rawId === 'number' && Number.isFinite(rawId)) id = String(rawId)
    else if (typeof rawId === 'string') id = rawId.trim() || id
    else if (rawId !== undefined && rawId !== null) typeError('id', 'a string or a number')

    const rawTopics = fields.topics
    let names: string[] = []
    if (typeof rawTopics === 'string') names = [rawTopics]
    else if (Array.isArray(rawTopics) && rawTopics.every((topic) => typeof topic === 'string')) names = rawTopics as string[]
    else if (rawTopics !== undefined && rawTopics !== null) typeError('topics', 'a string or an array of strings')

    if (title === '' && body === '') return { reason: 'no title and no body' }

    const warnings: RecordWarning[] = [...(record.warnings ?? [])]
    let date: string | null = null
    if (rawDate !== '') {
      const parsed = parseDate(rawDate)
      if (parsed.date !== undefined) date = parsed.date
      else warnings.push({ line: record.dateLine ?? record.line, message: `${parsed.error}; date dropped` })
    }

    const topics: Topic[] = []
    for (const raw of names) {
      const name = raw.trim()
      if (name === '') continue
      const slug = topicSlug(name)
      if (slug === '') warnings.push({ line: record.line, message: `topic "${name}" has no letters or digits; dropped` })
      else if (!topics.some((topic) => topic.slug === slug)) topics.push({ name, slug })
    }

    const related: RelatedLink[] = (record.related ?? []).map((link) => {
      const parsed = parseDate(link.date)
      if (parsed.error !== undefined) warnings.push({ line: link.line, message: `related news: ${parsed.error}; date dropped` })
      return { title: link.title, topic: link.topic, date: parsed.date ?? null }
    })

    const article: StoredArticle = {
      id, title, summary, body, date, source, url, topics: topics.map((topic) => topic.slug), related,
    }
    return { article, topics, warnings }
  } catch (error) {
    if (error instanceof FieldTypeError) return { reason: error.message }
    throw error
  }
}
