/**
 * The format registry: file extension → parser. A new input format is one new
 * module in this folder and one line in {@link PARSERS}.
 *
 * Files that are not articles (`README.*`, `LICENSE*`) are recognised here so
 * that documentation next to the data is never indexed.
 *
 * @example
 * ```ts
 * const parser = parserFor('data/articles/putin.txt') // parseText
 * ```
 */
import { basename, extname } from 'node:path'
import { parseJsonLines } from './jsonl'
import { parseMarkdown } from './markdown'
import { parseText } from './text'
import type { Parser } from './types'

export const PARSERS: Readonly<Record<string, Parser>> = {
  '.txt': parseText,
  '.jsonl': parseJsonLines,
  '.ndjson': parseJsonLines,
  '.md': parseMarkdown,
  '.markdown': parseMarkdown,
}

/** True for documentation files that sit beside articles but are not articles. */
export function isDocumentationFile(file: string): boolean {
  const name = basename(file)
  return /^readme(\..*)?$/i.test(name) || /^licen[cs]e/i.test(name)
}

/** The parser for a file, by its extension (any case); undefined if none. */
export function parserFor(file: string): Parser | undefined {
  return PARSERS[extname(file).toLowerCase()]
}

export type { ArticleField, Parser, ParseResult, ParserContext, RawRecord, RawRejection, RecordWarning } from './types'
export { ARTICLE_FIELDS, isRejection } from './types'
