/**
 * Measures the two loaded forms of the index in Node, for docs/architecture.md:
 * MiniSearch's own (JSON.parse + MiniSearch.loadJS of `reference/minisearch.json`,
 * plus the old all-articles JSON) and the compiled format version 2 (typed
 * arrays + on-demand chunks and fragments).
 *
 * ```sh
 * npm run build -- --reference
 * node --expose-gc --import tsx scripts/measure-index.ts [generated/assets] [--only compiled|minisearch] [--repeat 5]
 * ```
 *
 * Query types include the query language (phrase, exclusion, OR, field scope)
 * and sort/date options (sort=date, from/to, recency), run as src/search runs
 * them. With `--repeat r` the engine figure of each query is its fastest of r
 * runs (CPU cost without scheduling noise); the full figure is one run.
 *
 * Prints artefact sizes, load time, retained heap after load and after 1,000
 * mixed queries, and p50/p99 per query type (the Worker's options: AND, boosts,
 * prefix on the last term, typo tolerance by length), plus the cost of
 * reading and snippeting a page of 10 hits from fragments.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import MiniSearch from 'minisearch'
import { MINISEARCH_OPTIONS, FIELD_BOOSTS, type Manifest } from '../src/index-format'
import { loadSearchIndex } from '../src/search-index'
import { search, analyzeTree, QUERY_OPTIONS, withRecency } from '../src/search'
import { parseQuery } from '../src/query'
import { analyze } from '../src/analyzer'
import { seededRandom } from '../bench/lib/prng'
import { fileSource } from '../index-build/load-compiled'

const dir = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'generated/assets'
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined
/** `--repeat r`: run each engine query r times and keep its fastest run, which filters out scheduling noise on a busy machine. */
const repeat = process.argv.includes('--repeat') ? Number(process.argv[process.argv.indexOf('--repeat') + 1]) : 1
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

function heapMiB(): number {
  gc!()
  gc!()
  const usage = process.memoryUsage()
  return (usage.heapUsed + usage.arrayBuffers) / 2 ** 20
}

async function sizeOf(path: string): Promise<{ files: number; bytes: number }> {
  const info = await stat(path)
  if (!info.isDirectory()) return { files: 1, bytes: info.size }
  let files = 0
  let bytes = 0
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    files++
    bytes += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size
  }
  return { files, bytes }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** Query types of the targets, drawn from the corpus vocabulary with a fixed seed. */
interface Query {
  q: string
  topics: string[]
  sort?: 'relevance' | 'date'
  from?: number
  to?: number
  recency?: number
}

async function queries(manifest: Manifest, articlesSample: { title: string; body: string }[]): Promise<Record<string, Query[]>> {
  const random = seededRandom(42)
  const words = articlesSample.flatMap((a) => `${a.title} ${a.body}`.split(/\s+/)).filter((w) => /^[A-Za-z]{3,}$/.test(w)).map((w) => w.toLowerCase())
  const counts = new Map<string, number>()
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1)
  const byFreq = [...counts].filter(([w]) => analyze(w).length > 0).sort((a, b) => b[1] - a[1]).map(([w]) => w)
  const common = byFreq.slice(0, 60)
  const rare = byFreq.slice(-3000).filter((w) => w.length >= 5)
  const mid = byFreq.slice(100, 4000)
  const pick = (list: string[]) => list[Math.floor(random() * list.length)]!
  const typo = (w: string) => {
    const i = 1 + Math.floor(random() * (w.length - 2))
    return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2)
  }
  const topics = manifest.topics.slice(0, 30).map((t) => t.slug)
  // Two adjacent words of a sampled body, as a reader would quote them.
  const phraseOf = () => {
    for (;;) {
      const body = articlesSample[Math.floor(random() * articlesSample.length)]!.body.split(/\s+/)
      const i = Math.floor(random() * Math.max(1, body.length - 1))
      const pair = body.slice(i, i + 2)
      if (pair.length === 2 && pair.every((w) => /^[A-Za-z]{3,}$/.test(w) && analyze(w).length > 0)) return pair.join(' ')
    }
  }
  const n = 200
  const make = (f: () => Omit<Query, 'topics'> & { topics?: string[] }) => Array.from({ length: n }, (): Query => ({ topics: [], ...f() }))
  return {
    'one word': make(() => ({ q: pick(mid) })),
    '2-3 words': make(() => ({ q: Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(mid)).join(' ') })),
    'common words': make(() => ({ q: `${pick(common)} ${pick(common)}` })),
    'rare words': make(() => ({ q: pick(rare) })),
    prefix: make(() => ({ q: pick(mid.filter((w) => w.length >= 6)).slice(0, 3 + Math.floor(random() * 2)) })),
    typo: make(() => ({ q: typo(pick(mid.filter((w) => w.length >= 6))) })),
    'topic filter': make(() => ({ q: pick(mid), topics: [pick(topics)] })),
    'empty + topic': make(() => ({ q: '', topics: [pick(topics)] })),
    phrase: make(() => ({ q: `"${phraseOf()}"` })),
    'common phrase': make(() => ({ q: `"${pick(common)} ${pick(common)}"` })),
    exclusion: make(() => ({ q: `${pick(mid)} -${pick(common)}` })),
    OR: make(() => ({ q: `${pick(mid)} OR ${pick(mid)}` })),
    'field scope': make(() => ({ q: `title:${pick(mid)}` })),
    'sort=date': make(() => ({ q: pick(common), sort: 'date' as const })),
    'from/to': make(() => ({ q: pick(mid), from: Date.UTC(1987, 3, 1), to: Date.UTC(1987, 5, 30) })),
    recency: make(() => ({ q: pick(common), recency: 30 })),
  }
}

const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
const sampleFragments = await Promise.all(Array.from({ length: 40 }, (_, k) => readFile(join(dir, `articles/${k * 30}.json`), 'utf8').then(JSON.parse)))
const sample = sampleFragments.flatMap((f) => f.articles)
const workload = await queries(manifest, sample)
const mixed = Object.values(workload).flat()

console.log('## artefacts')
for (const name of ['manifest.json', 'terms.bin', 'docs.bin', 'ids.json', 'postings', 'positions', 'articles', 'reference/minisearch.json']) {
  const { files, bytes } = await sizeOf(join(dir, name)).catch(() => ({ files: 0, bytes: 0 }))
  console.log(`${name}\t${files} file(s)\t${(bytes / 2 ** 20).toFixed(2)} MiB`)
}

if (only !== 'minisearch') {
  console.log('\n## compiled (format version 3)')
  const before = heapMiB()
  let t = performance.now()
  const index = await loadSearchIndex(fileSource(dir))
  const loadMs = performance.now() - t
  const afterLoad = heapMiB() - before
  // Warm: one pass over the mixed workload (JIT, chunk and fragment caches).
  for (const query of mixed) await search(index, { ...query, limit: 10, offset: 0 })
  const afterQueries = heapMiB() - before
  console.log(`load ${loadMs.toFixed(1)} ms; retained heap after load ${afterLoad.toFixed(1)} MiB, after ${mixed.length} mixed queries ${afterQueries.toFixed(1)} MiB (${JSON.stringify(index.cacheStats())})`)
  console.log('type\tp50 ms\tp99 ms\tmax ms\t(engine only: parse+plan+execute+filter+rank top 10; full: + facets, fragments, snippets)')
  for (const [type, list] of Object.entries(workload)) {
    const engineTimes: number[] = []
    const fullTimes: number[] = []
    for (const query of list) {
      const engine = index.engine
      let best = Infinity
      for (let r = 0; r < repeat; r++) {
      t = performance.now()
      // What src/search does before facets and fragments (chunks are cached after the warm-up pass).
      const plan = engine.planInput(analyzeTree(parseQuery(query.q)).input, { ...QUERY_OPTIONS, combineWith: 'AND' })
      if (plan.terms.length) {
        await engine.load(plan)
        let matches = engine.execute(plan)
        if (matches.count === 0) matches = engine.execute({ ...plan, and: false })
        let ranking = matches
        if (query.recency) ranking = withRecency(index, matches, query.recency).ranking
        let keep: ((doc: number) => boolean) | undefined
        if (query.from !== undefined) {
          const [lo, hi] = engine.docs.dateRange(query.from, query.to ?? Infinity)
          keep = (doc) => doc >= lo && doc < hi
        }
        engine.rank(ranking, 10, keep, query.sort === 'date' ? 'date' : 'score')
      }
      best = Math.min(best, performance.now() - t)
      }
      engineTimes.push(best)
      t = performance.now()
      await search(index, { ...query, limit: 10, offset: 0 })
      fullTimes.push(performance.now() - t)
    }
    console.log(`${type}\tengine ${percentile(engineTimes, 50).toFixed(3)}/${percentile(engineTimes, 99).toFixed(3)}/${Math.max(...engineTimes).toFixed(2)}\tfull ${percentile(fullTimes, 50).toFixed(3)}/${percentile(fullTimes, 99).toFixed(3)}/${Math.max(...fullTimes).toFixed(2)}`)
  }
  // A page of 10 hits with cold fragments: read + parse the fragments, snippets.
  const cold = await loadSearchIndex(fileSource(dir), { articles: 256 })
  const pageTimes: number[] = []
  for (const { q } of workload['2-3 words']!.slice(0, 50)) {
    const fresh = await loadSearchIndex(fileSource(dir))
    await search(fresh, { q: 'zzzz', topics: [], limit: 10, offset: 0 }) // chunk warm-up only
    t = performance.now()
    await search(fresh, { q, topics: [], limit: 10, offset: 0 })
    pageTimes.push(performance.now() - t)
  }
  void cold
  console.log(`page of 10 hits with cold fragment cache (file reads + JSON.parse + snippets): p50 ${percentile(pageTimes, 50).toFixed(2)} ms, p99 ${percentile(pageTimes, 99).toFixed(2)} ms`)
}

if (only !== 'compiled') {
  console.log('\n## MiniSearch loaded form (reference/minisearch.json + all articles)')
  const before = heapMiB()
  let t = performance.now()
  const json = await readFile(join(dir, 'reference/minisearch.json'), 'utf8')
  const ms = MiniSearch.loadJS(JSON.parse(json), MINISEARCH_OPTIONS)
  const articles = (await Promise.all(Array.from({ length: manifest.index.fragments.count }, (_, k) => readFile(join(dir, `articles/${k}.json`), 'utf8').then(JSON.parse)))).flatMap((f) => f.articles)
  const loadMs = performance.now() - t
  const afterLoad = heapMiB() - before
  console.log(`load ${loadMs.toFixed(0)} ms (JSON.parse + loadJS + articles); retained heap ${afterLoad.toFixed(1)} MiB (${articles.length} articles held)`)
  console.log('type\tp50 ms\tp99 ms\tmax ms (MiniSearch.search only)')
  for (const [type, list] of Object.entries(workload)) {
    const times: number[] = []
    for (const { q } of list) {
      if (!q) continue
      t = performance.now()
      const run = (combineWith: 'AND' | 'OR') => ms.search(q, { combineWith, boost: FIELD_BOOSTS, prefix: QUERY_OPTIONS.prefix as never, fuzzy: QUERY_OPTIONS.fuzzy as never })
      if (run('AND').length === 0) run('OR')
      times.push(performance.now() - t)
    }
    if (times.length) console.log(`${type}\t${percentile(times, 50).toFixed(3)}\t${percentile(times, 99).toFixed(3)}\t${Math.max(...times).toFixed(2)}`)
  }
}
