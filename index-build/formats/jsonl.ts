/**
 * JSON Lines (`.jsonl`, `.ndjson`): one article object per line, with the
 * fields `id, title, summary, body, topics, date, url, source`.
 *
 * `--map target=source` renames fields so that a corpus with other names works
 * unchanged, e.g. BEIR's `{_id, title, text}` with `--map id=_id,body=text`.
 * A mapped target is read only from its source field.
 *
 * Blank lines are not records. A line that is not JSON or not an object is
 * rejected here, with its line number; field types are checked in
 * `../normalize.ts`, as for every format.
 *
 * @example
 * ```ts
 * const results = [...parseJsonLines('corpus.jsonl', text, { fieldMap: { id: '_id', body: 'text' } })]
 * ```
 */
import { basename, extname } from 'node:path'
import { ARTICLE_FIELDS, type Parser, type RawFields } from './types'

export const parseJsonLines: Parser = function* (file, text, { fieldMap }) {
  const stem = basename(file, extname(file))
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1
    const source = lines[i]!.trim()
    if (source === '') continue
    let value: unknown
    try {
      value = JSON.parse(source)
    } catch (error) {
      yield { line, reason: `invalid JSON: ${(error as Error).message}` }
      continue
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, reason: `not a JSON object but ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}` }
      continue
    }
    const object = value as Record<string, unknown>
    const fields: RawFields = {}
    for (const field of ARTICLE_FIELDS) {
      const name = fieldMap[field] ?? field
      if (Object.hasOwn(object, name)) fields[field] = object[name]
    }
    yield { line, fields, fallbackId: `${stem}-${line}`, sourceNames: fieldMap }
  }
}
