/**
 * What an input format parser gives back. Parsers only read syntax (lines,
 * JSON, front matter); type checks, defaults, ids, dates and topics are done
 * once for every format in `../normalize.ts`.
 *
 * @example
 * ```ts
 * const parse: Parser = function* (file, text) {
 *   yield { line: 1, fields: { title: text.split('\n')[0] }, fallbackId: 'my-article' }
 * }
 * ```
 */

/** The article fields a record may carry, as read: values are not yet checked. */
export const ARTICLE_FIELDS = ['id', 'title', 'summary', 'body', 'topics', 'date', 'url', 'source'] as const
export type ArticleField = (typeof ARTICLE_FIELDS)[number]
export type RawFields = Partial<Record<ArticleField, unknown>>

/** A "Related News" entry as read; the date is parsed later like any other. */
export interface RawRelated {
  title: string
  topic: string
  date: string
  /** Line of the date, for warnings. */
  line: number
}

/** A problem that does not stop the record from being kept. */
export interface RecordWarning {
  line: number
  message: string
}

/** One article as read from a file. */
export interface RawRecord {
  /** 1-based line where the record starts. */
  line: number
  fields: RawFields
  /** The id to use when `fields.id` is absent: stable across builds. */
  fallbackId: string
  /** Line of the date, when it is not on the record's first line. */
  dateLine?: number
  /** For messages when `--map` renamed a field: target → source name. */
  sourceNames?: Partial<Record<ArticleField, string>>
  related?: RawRelated[]
  warnings?: RecordWarning[]
}

/** A record that could not be read at all (for example a line of broken JSON). */
export interface RawRejection {
  line: number
  reason: string
}

export type ParseResult = RawRecord | RawRejection

export interface ParserContext {
  /** `--map`: target field → field name in the source (JSON Lines only). */
  fieldMap: Partial<Record<ArticleField, string>>
}

/**
 * A format parser: gets the file's path relative to its input root (for
 * derived ids) and its text (BOM already removed), yields records in order.
 */
export type Parser = (file: string, text: string, context: ParserContext) => Iterable<ParseResult>

export const isRejection = (result: ParseResult): result is RawRejection => 'reason' in result
