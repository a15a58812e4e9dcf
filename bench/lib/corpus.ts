/**
 * Reads a corpus the way the benchmark needs it: words and topics per
 * article, to draw queries from. It reads the build's INPUT (JSON Lines,
 * .txt, .md), not the build's output, so it does not depend on the index
 * format, which is changing.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { createInterface } from 'node:readline'

/** Surface words dropped from queries: the analyzer's stop words (copied, so the bench does not break if src/ changes). */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'has', 'have', 'he',
  'her', 'his', 'if', 'in', 'into', 'is', 'it', 'its', 'of', 'on', 'or', 'our', 'she', 'so',
  'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those',
  'to', 'was', 'we', 'were', 'which', 'while', 'will', 'with', 'would', 'you', 'your', 'said',
  'reuter', 'mln', 'not', 'also', 'had', 'been',
])

export interface CorpusArticle {
  /** Lower-case alphabetic words (3+ letters, no stop words), in text order. */
  words: string[]
  topics: string[]
}

export interface CorpusSample {
  articles: CorpusArticle[]
  /** Number of articles containing each word (document frequency), over the sample. */
  df: Map<string, number>
  /** Every topic seen, with its article count. */
  topics: Map<string, number>
}

function inputFiles(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((name) => inputFiles(join(path, name)))
  }
  return ['.jsonl', '.ndjson', '.txt', '.md', '.markdown'].includes(extname(path).toLowerCase()) ? [path] : []
}

export function wordsOf(text: string): string[] {
  const words: string[] = []
  for (const match of text.toLowerCase().matchAll(/[a-z]+/g)) {
    const word = match[0]
    if (word.length >= 3 && !STOP_WORDS.has(word)) words.push(word)
  }
  return words
}

/** Reads up to `limit` articles (in file order) from the paths. */
export async function readCorpus(paths: string[], limit = 60_000): Promise<CorpusSample> {
  const articles: CorpusArticle[] = []
  const add = (title: unknown, body: unknown, topics: unknown) => {
    const text = `${typeof title === 'string' ? title : ''}\n${typeof body === 'string' ? body : ''}`
    const list = Array.isArray(topics) ? topics.filter((t): t is string => typeof t === 'string' && t.length > 0) : []
    articles.push({ words: wordsOf(text), topics: list })
  }
  for (const file of paths.flatMap(inputFiles)) {
    if (articles.length >= limit) break
    const ext = extname(file).toLowerCase()
    if (ext === '.jsonl' || ext === '.ndjson') {
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })
      for await (const line of lines) {
        if (articles.length >= limit) {
          lines.close()
          break
        }
        if (!line.trim()) continue
        try {
          const record = JSON.parse(line)
          add(record.title, record.body ?? record.text, record.topics)
        } catch {
          // a malformed line is the build's problem, not the bench's
        }
      }
    } else if (!/readme/i.test(file)) {
      add('', readFileSync(file, 'utf8'), [])
    }
  }
  const df = new Map<string, number>()
  const topics = new Map<string, number>()
  for (const article of articles) {
    for (const word of new Set(article.words)) df.set(word, (df.get(word) ?? 0) + 1)
    for (const topic of article.topics) topics.set(topic, (topics.get(topic) ?? 0) + 1)
  }
  return { articles: articles.filter((a) => a.words.length > 0), df, topics }
}
