/**
 * The build report: what happened to every record read, and its text form.
 *
 * Accounting rule: every record read ends as exactly one of
 * - indexed: became an article of the index;
 * - merged: an exact duplicate (same title and body after trimming) of an
 *   article seen before; only its topics are kept, added to that article;
 * - rejected: could not be an article (broken line, wrong field type, neither
 *   title nor body, id already used by a different article).
 * So for each file and in total, `read = indexed + merged + rejected`.
 *
 * Fail/warn policy (the CLI's exit code):
 * - FAILS the build, exit 1, nothing written: an input path that does not
 *   exist, a bad `--map`, a bad `SOURCE_DATE_EPOCH`, zero indexed articles, an
 *   error while writing; and with `--strict`, any rejection or warning.
 * - WARNS only, the build goes on, exit 0: rejected records, unreadable or
 *   invalid dates (the date is dropped, the article kept), skipped files of an
 *   unknown type, dropped topics or related links.
 * - Listed, not a warning (not even with `--strict`): `README.*`/`LICENSE*`
 *   files, which sit beside data on purpose.
 * Why: one bad record in a feed should not take the whole search down, but
 * nothing is silent, and `--strict` exists for feeds that must be clean.
 *
 * @example
 * ```ts
 * const { report } = await buildIndex({ paths: ['data/'] })
 * console.log(formatReport(report).join('\n'))
 * ```
 */
import type { TopicCount } from '../src/index-format'

export interface Counts {
  read: number
  indexed: number
  merged: number
  rejected: number
}

export interface FileReport extends Counts {
  /** Path relative to the working directory. */
  file: string
}

export interface SkippedFile {
  file: string
  reason: string
  /** True when it counts as a warning (and fails `--strict`). */
  warn: boolean
}

export interface Rejection {
  file: string
  line: number
  reason: string
}

export interface Warning {
  file: string
  line: number
  message: string
}

export interface Merge {
  file: string
  line: number
  /** The id of the article it was merged into, and where that one was read. */
  into: { id: string; file: string; line: number }
}

export interface BuildReport {
  files: FileReport[]
  total: Counts
  skipped: SkippedFile[]
  rejections: Rejection[]
  warnings: Warning[]
  merges: Merge[]
  /** Every topic of the indexed articles, most frequent first, then by slug. */
  topics: TopicCount[]
}

export function emptyCounts(): Counts {
  return { read: 0, indexed: 0, merged: 0, rejected: 0 }
}

export const countsLine = (counts: Counts): string =>
  `read ${counts.read} = indexed ${counts.indexed} + merged ${counts.merged} + rejected ${counts.rejected}`

export const rejectionLine = (rejection: Rejection): string => `${rejection.file}:${rejection.line}: ${rejection.reason}`

export const warningLine = (warning: Warning): string => `${warning.file}:${warning.line}: warning: ${warning.message}`

/** Every warning-level skip and record warning, as report lines. */
export function warningLines(report: BuildReport): string[] {
  return [
    ...report.skipped.filter((skip) => skip.warn).map((skip) => `${skip.file}: warning: skipped: ${skip.reason}`),
    ...report.warnings.map(warningLine),
  ]
}

export interface FormatOptions {
  /** Print all topics and every merge, not only the top topics. */
  verbose: boolean
  /** How many topics to print when not verbose. */
  topTopics: number
}

const DEFAULT_FORMAT_OPTIONS: FormatOptions = { verbose: false, topTopics: 20 }

/** The report as lines of text: counts, skipped files, topics, then every rejection and warning. */
export function formatReport(report: BuildReport, options: Partial<FormatOptions> = {}): string[] {
  const { verbose, topTopics } = { ...DEFAULT_FORMAT_OPTIONS, ...options }
  const lines: string[] = []
  for (const file of report.files) lines.push(`${file.file}: ${countsLine(file)}`)
  lines.push(`total: ${countsLine(report.total)}`)
  for (const skip of report.skipped.filter((s) => !s.warn)) lines.push(`skipped ${skip.file}: ${skip.reason}`)

  const shown = verbose ? report.topics : report.topics.slice(0, topTopics)
  const more = report.topics.length - shown.length
  lines.push(
    report.topics.length === 0
      ? 'topics: none'
      : `topics (${report.topics.length}): ${shown.map((topic) => `${topic.name} ${topic.count}`).join(', ')}` +
          (more > 0 ? `, … ${more} more (--verbose lists all)` : ''),
  )
  if (verbose) {
    for (const merge of report.merges) {
      lines.push(`${merge.file}:${merge.line}: merged into "${merge.into.id}" (${merge.into.file}:${merge.into.line})`)
    }
  }
  if (report.rejections.length > 0) {
    lines.push(`rejected (${report.rejections.length}):`)
    lines.push(...report.rejections.map(rejectionLine))
  }
  const warnings = warningLines(report)
  if (warnings.length > 0) {
    lines.push(`warnings (${warnings.length}):`)
    lines.push(...warnings)
  }
  return lines
}
