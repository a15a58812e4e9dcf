/**
 * A deterministic SYNTHETIC corpus: real sentences of the given corpora,
 * recombined into new articles, to measure scale beyond the 21.6k real ones.
 *
 * - title: the title of a random real article;
 * - body: 4–16 real sentences, each from a random real article;
 * - topics: the topics of the title's article and of the first sentence's article;
 * - date: spread evenly at random over the Reuters range (1987-02-26 … 1987-10-20).
 *
 * The output is never committed (the inputs are research-only): write it under
 * .tmp/ (git-ignored) or /tmp.
 *
 * ```sh
 * npx tsx bench/synthetic.ts --count 200000 --from ../shared/corpora/reuters-21578/articles.jsonl --out .tmp/synthetic-200000.jsonl
 * ```
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { Prng } from './lib/prng'

const FIRST = Date.UTC(1987, 1, 26)
const LAST = Date.UTC(1987, 9, 20, 23, 59, 59)

interface Source {
  title: string
  topics: string[]
  sentences: string[]
}

async function readSources(paths: string[]): Promise<Source[]> {
  const sources: Source[] = []
  for (const path of paths) {
    for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
      if (!line.trim()) continue
      const record = JSON.parse(line)
      const body = typeof record.body === 'string' ? record.body : ''
      const sentences = body
        .replace(/\s+/g, ' ')
        .split(/(?<=[.!?])\s+(?=[A-Z"'])/)
        .map((s: string) => s.trim())
        .filter((s: string) => s.length >= 20)
      if (typeof record.title !== 'string' || sentences.length === 0) continue
      sources.push({ title: record.title, topics: Array.isArray(record.topics) ? record.topics : [], sentences })
    }
  }
  return sources
}

export async function generateSynthetic(options: { count: number; from: string[]; out: string; seed?: number }): Promise<void> {
  const sources = await readSources(options.from)
  if (sources.length === 0) throw new Error('no source articles with a title and a body')
  const prng = new Prng(options.seed ?? 1987)
  mkdirSync(dirname(options.out), { recursive: true })
  const out = createWriteStream(options.out)
  for (let n = 0; n < options.count; n++) {
    const head = prng.pick(sources)
    const count = prng.int(4, 16)
    const sentences: string[] = []
    let firstSource: Source | undefined
    for (let i = 0; i < count; i++) {
      const source = prng.pick(sources)
      firstSource ??= source
      sentences.push(prng.pick(source.sentences))
    }
    const topics = [...new Set([...head.topics, ...firstSource!.topics])]
    const date = new Date(FIRST + Math.floor(prng.next() * (LAST - FIRST))).toISOString().slice(0, 19)
    const record = { id: `syn-${n}`, title: head.title, body: sentences.join(' '), topics, date, source: 'synthetic' }
    if (!out.write(`${JSON.stringify(record)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '200000' },
      from: { type: 'string', multiple: true },
      out: { type: 'string' },
      seed: { type: 'string', default: '1987' },
    },
  })
  if (!values.from?.length || !values.out) {
    console.error('usage: tsx bench/synthetic.ts --count N --from corpus.jsonl [--from ...] --out .tmp/synthetic-N.jsonl')
    process.exit(1)
  }
  await generateSynthetic({ count: Number(values.count), from: values.from, out: values.out, seed: Number(values.seed) })
  console.log(`wrote ${values.count} synthetic articles to ${values.out}`)
}
