/**
 * Plain-text articles (`.txt`), in the layout of the seed article
 * (`data/articles/putin-meets-syria-on-defense-industry.txt`):
 *
 * ```text
 * 1  title
 * 2  standfirst                         → summary
 * 3  date glued to source               "December 24, 2025Clash Report"
 * 4  the title again                    dropped, only if it equals line 1
 * 5… body lines                         joined with "\n"
 *    Related Topics                     then one topic per line
 *    Related News                       then title / topic / dd/mm/yyyy, repeated
 * ```
 *
 * The two trailing sections are page furniture, not body: indexing them would
 * make every article match the titles of its neighbours.
 *
 * @example
 * ```ts
 * const [record] = parseText('articles/putin.txt', text, { fieldMap: {} })
 * record.fields.title // 'Putin Meets Syria on Defense Industry'
 * ```
 */
import { basename, extname } from 'node:path'
import { DATE_PREFIXES } from '../dates'
import type { Parser, RawRecord, RawRelated, RecordWarning } from './types'

const RELATED_TOPICS = 'Related Topics'
const RELATED_NEWS = 'Related News'

/** Splits `December 24, 2025Clash Report` into its date and source parts. */
function splitDateLine(line: string): { date?: string; source: string } {
  for (const prefix of DATE_PREFIXES) {
    const match = prefix.exec(line)
    if (match) return { date: match[1]!, source: match[2]!.trim() }
  }
  return { source: line }
}

export const parseText: Parser = function* (file, text) {
  const rawLines = text.split(/\r?\n/)
  // Trimmed copies find the layout; the body keeps its indentation.
  const lines = rawLines.map((line) => line.trim())
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const warnings: RecordWarning[] = []
  const [title = '', summary = '', dateLine = ''] = lines

  const { date, source } = splitDateLine(dateLine)
  if (lines.length >= 3 && date === undefined) {
    warnings.push({ line: 3, message: `no date at the start of line 3 "${dateLine}"; the whole line is taken as the source` })
  }

  // Line numbers below are 0-based indexes into `lines`; messages add 1.
  let start = Math.min(3, lines.length)
  if (lines[3] !== undefined && lines[3] === title) start = 4
  const markers = [RELATED_TOPICS, RELATED_NEWS].map((marker) => lines.indexOf(marker, start)).filter((i) => i >= 0)
  const end = markers.length > 0 ? Math.min(...markers) : lines.length
  const body = rawLines.slice(start, end).map((line) => line.trimEnd()).join('\n')

  const topicsAt = lines.indexOf(RELATED_TOPICS, start)
  const newsAt = lines.indexOf(RELATED_NEWS, start)
  const topics: string[] = []
  if (topicsAt >= 0) {
    const topicsEnd = newsAt > topicsAt ? newsAt : lines.length
    topics.push(...lines.slice(topicsAt + 1, topicsEnd).filter((line) => line !== ''))
  }

  const related: RawRelated[] = []
  if (newsAt >= 0) {
    const newsEnd = topicsAt > newsAt ? topicsAt : lines.length
    const entries: { text: string; line: number }[] = []
    for (let i = newsAt + 1; i < newsEnd; i++) {
      if (lines[i] !== '') entries.push({ text: lines[i]!, line: i + 1 })
    }
    for (let i = 0; i + 2 < entries.length; i += 3) {
      related.push({ title: entries[i]!.text, topic: entries[i + 1]!.text, date: entries[i + 2]!.text, line: entries[i + 2]!.line })
    }
    const rest = entries.length % 3
    if (rest > 0) {
      const first = entries[entries.length - rest]!
      warnings.push({ line: first.line, message: `incomplete "Related News" entry (needs title, topic and date lines); dropped` })
    }
  }

  const record: RawRecord = {
    line: 1,
    fields: { title, summary, date, source, body, topics },
    fallbackId: basename(file, extname(file)),
    dateLine: 3,
    related,
    warnings,
  }
  yield record
}
