/**
 * Reading stage: files → parsed records → normalised articles, with exact
 * duplicates merged, bad records rejected and every outcome counted.
 *
 * Records are handled strictly in input order (files by path, then lines), so
 * "the first one seen" — which duplicate is kept, which display name a topic
 * slug gets — is the same on every build.
 *
 * Order of checks for a record that was read: syntax and field types
 * (rejected), neither title nor body (rejected), exact duplicate of a kept
 * article (merged, even when the ids differ), id already used by a different
 * article (rejected), otherwise indexed.
 *
 * @example
 * ```ts
 * const { files } = await listInputs(['data/'], process.cwd())
 * const { articles, report } = await collectArticles(files, { fieldMap: {} })
 * ```
 */
import { readFile } from 'node:fs/promises'
import type { StoredArticle, TopicCount } from '../src/index-format'
import { compareCodeUnits } from './compare'
import { isRejection, type ParserContext } from './formats'
import type { InputFile } from './inputs'
import { decodeText } from './decode'
import { BuildError } from './errors'
import { parseJsonLines } from './formats/jsonl'
import { normalizeRecord, type NormalizeResult } from './normalize'
import { emptyCounts, type BuildReport, type FileReport } from './report'
import { TopicRegistry } from './topics'

export interface Collected {
  /** Kept articles in input order (not yet sorted for the index). */
  articles: StoredArticle[]
  topics: TopicRegistry
  /** The report without `skipped` (the caller knows those). */
  report: Omit<BuildReport, 'skipped'>
}

export interface CollectOptions extends ParserContext {
  /** Called after each file with records read so far and bytes read of the total. */
  onFileRead?: (progress: { records: number; bytes: number; totalBytes: number }) => void
  /** Sizes of the files, for progress; optional. */
  sizes?: number[]
}

export async function collectArticles(files: readonly InputFile[], options: CollectOptions): Promise<Collected> {
  const articles: StoredArticle[] = []
  const origins: { file: string; line: number }[] = []
  const byContent = new Map<string, number>()
  const byId = new Map<string, number>()
  const topics = new TopicRegistry()
  const report: Omit<BuildReport, 'skipped'> = {
    files: [], total: emptyCounts(), rejections: [], warnings: [], merges: [], topics: [],
  }
  const totalBytes = options.sizes?.reduce((a, b) => a + b, 0) ?? 0
  let bytes = 0

  for (const [index, input] of files.entries()) {
    const counts: FileReport = { file: input.display, ...emptyCounts() }
    report.files.push(counts)
    const file = input.display
    checkInputSize(file, options.sizes?.[index])
    const decoded = decodeText(await readFile(input.path))
    if (decoded.binaryAt !== undefined) {
      // A binary file is one unreadable input: counted, rejected, named.
      counts.read++
      counts.rejected++
      report.rejections.push({ file, line: 1, reason: `binary file (NUL byte at offset ${decoded.binaryAt}), not text` })
    }
    const text = decoded.binaryAt === undefined ? decoded.text : ''
    const perLine = input.parser === parseJsonLines

    for (const result of input.parser(input.rel, text, options)) {
      counts.read++
      const invalid = invalidUtf8(decoded.invalidLines, result.line, perLine)
      const normalized = invalid ? { reason: invalid } : isRejection(result) ? result : tooLarge(normalizeRecord(result))
      if ('reason' in normalized) {
        counts.rejected++
        report.rejections.push({ file, line: result.line, reason: normalized.reason })
        continue
      }
      const { article, warnings } = normalized
      const key = `${article.title}\u0000${article.body}`
      const kept = byContent.get(key)
      const sameId = byId.get(article.id)
      if (kept === undefined && sameId !== undefined) {
        const first = origins[sameId]!
        counts.rejected++
        report.rejections.push({ file, line: result.line, reason: `duplicate id "${article.id}" (first at ${first.file}:${first.line})` })
        continue
      }
      report.warnings.push(...warnings.map((warning) => ({ file, line: warning.line, message: warning.message })))
      for (const topic of normalized.topics) topics.add(topic.name)
      if (kept !== undefined) {
        const target = articles[kept]!
        for (const slug of article.topics) if (!target.topics.includes(slug)) target.topics.push(slug)
        const origin = origins[kept]!
        counts.merged++
        report.merges.push({ file, line: result.line, into: { id: target.id, file: origin.file, line: origin.line } })
        continue
      }
      byContent.set(key, articles.length)
      byId.set(article.id, articles.length)
      origins.push({ file, line: result.line })
      articles.push(article)
      counts.indexed++
    }
    for (const key of ['read', 'indexed', 'merged', 'rejected'] as const) report.total[key] += counts[key]
    bytes += options.sizes?.[index] ?? 0
    options.onFileRead?.({ records: report.total.read, bytes, totalBytes })
  }

  report.topics = countTopics(articles, topics)
  return { articles, topics, report }
}

/** Longest article accepted, in characters of title, summary and body together. */
export const MAX_ARTICLE_CHARS = 1_000_000

/**
 * The reason to reject a record that holds invalid UTF-8: its own line for
 * JSON Lines, any line of the file for one-article-per-file formats.
 */
function invalidUtf8(invalidLines: ReadonlyMap<number, number>, line: number, perLine: boolean): string | undefined {
  if (invalidLines.size === 0) return undefined
  const [badLine, offset] = perLine ? [line, invalidLines.get(line)] : [...invalidLines][0]!
  return offset === undefined ? undefined : `invalid UTF-8 at line ${badLine}, byte offset ${offset}`
}

/** An article too large to serve (a runaway export, a mis-split feed) is rejected, not truncated. */
function tooLarge(result: NormalizeResult): NormalizeResult {
  if ('reason' in result) return result
  const { title, summary, body } = result.article
  const size = title.length + summary.length + body.length
  return size > MAX_ARTICLE_CHARS
    ? { reason: `article of ${size.toLocaleString('en-US')} characters is over the limit of ${MAX_ARTICLE_CHARS.toLocaleString('en-US')}` }
    : result
}

/** Every topic with its number of articles, most frequent first, then by slug. */
function countTopics(articles: readonly StoredArticle[], topics: TopicRegistry): TopicCount[] {
  const counts = new Map<string, number>()
  for (const article of articles) for (const slug of article.topics) counts.set(slug, (counts.get(slug) ?? 0) + 1)
  return [...counts]
    .map(([slug, count]) => ({ name: topics.name(slug), slug, count }))
    .sort((a, b) => b.count - a.count || compareCodeUnits(a.slug, b.slug))
}

/**
 * The largest input file, in bytes: a file is decoded into one string, and V8
 * strings hold at most 2^29 − 24 UTF-16 code units (512 MiB); one byte of
 * UTF-8 is at most one code unit, so a file this size always fits.
 */
export const MAX_INPUT_BYTES = 0x1fffffe8

/** Throws a {@link BuildError} naming the file when it is too large to read whole. */
export function checkInputSize(file: string, bytes: number | undefined): void {
  if (bytes === undefined || bytes <= MAX_INPUT_BYTES) return
  throw new BuildError(
    `${file}: ${bytes} bytes, over the ${MAX_INPUT_BYTES} bytes (512 MiB) one input file may have; split it into several files (e.g. split -l 100000 --additional-suffix=.jsonl) and give their directory`,
  )
}
