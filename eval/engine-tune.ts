/**
 * The Worker's own ranking code in process: `rank()` of `src/search` (parser,
 * analyzer, engine, AND → OR relaxation, typo budget, exact-first, …) over a
 * build's artefacts read from disk, with the engine options varied one at a
 * time. Where `eval/tune.ts` re-does MiniSearch's arithmetic (fast, but
 * without the Worker's typo budget, first-letter rule, expansion cap or
 * exact-first cap), this runs exactly what `GET /search` runs, minus HTTP and
 * the article fragments, so its `worker` row must equal the HTTP figure.
 *
 * ```sh
 * npx tsx eval/engine-tune.ts <assets dir> --beir ../shared/relevance/scifact
 * npx tsx eval/engine-tune.ts <assets dir> --topics reuters      # or bbc
 * ```
 * (`<assets dir>`: a build with the project's CLI, e.g. `--cache DIR` of `npm run eval`.)
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileSource } from '../index-build/load-compiled'
import type { EngineSearchOptions } from '../src/engine'
import { loadSearchIndex, type SearchIndex } from '../src/search-index'
import { QUERY_OPTIONS, rank, type Rerank } from '../src/search'
import { FEEDBACK, feedbackRerank, type FeedbackOptions } from './feedback'
import { readJsonl, readQrels } from './beir'
import { mean, ndcgAt, recallAt } from './metrics'
import { fitQuery } from './query'
import { BBC_TOPIC_QUERIES, REUTERS_TOPIC_QUERIES } from './topic-queries'

export interface Variant {
  name: string
  options: EngineSearchOptions
  feedback?: FeedbackOptions | null
}

/** Typo distance by length alone, for every eligible term (no budget of 4). */
const typosNoBudget = (term: string): number | false => (term.length >= 9 ? 2 : term.length >= 5 ? 1 : false)

/** The rule variants of the gap analysis: the Worker's options with one rule changed. */
export function ruleVariants(): Variant[] {
  const w = QUERY_OPTIONS
  return [
    { name: 'worker', options: w },
    { name: 'BM25+ summed per field, √ coordination (bm25f off: the ranking before BM25F)', options: { ...w, bm25f: null } },
    { name: 'BM25F without the proximity bonus', options: { ...w, bm25f: { ...w.bm25f!, proximity: null } } },
    { name: 'first-letter typo costs 1', options: { ...w, firstTypoCost: 1 } },
    { name: 'typos for every word (no budget of 4)', options: { ...w, fuzzy: typosNoBudget } },
    { name: 'no budget, first letter 1', options: { ...w, fuzzy: typosNoBudget, firstTypoCost: 1 } },
    { name: 'no typos', options: { ...w, fuzzy: false } },
    { name: 'no prefix', options: { ...w, prefix: false } },
    { name: 'no typos, no prefix', options: { ...w, fuzzy: false, prefix: false } },
    { name: 'exactFirst off', options: { ...w, exactFirst: false } },
    { name: 'no expansion cap', options: { ...w, maxExpansions: Infinity } },
    { name: 'title 1', options: { ...w, boost: { ...(w.boost as Record<string, number>), title: 1 } } },
    { name: 'body 1.2 (title still the heaviest)', options: { ...w, boost: { ...(w.boost as Record<string, number>), body: 1.2 } } },
    { name: 'title 1, summary/topics 1.5 (docs recommendation)', options: { ...w, boost: { title: 1, summary: 1.5, topics: 1.5, body: 1 } } },
    { name: 'title 1, no budget, first letter 1', options: { ...w, boost: { ...(w.boost as Record<string, number>), title: 1 }, fuzzy: typosNoBudget, firstTypoCost: 1 } },
    { name: 'title 1, no budget, first 1, no cap, exactFirst off', options: { ...w, boost: { ...(w.boost as Record<string, number>), title: 1 }, fuzzy: typosNoBudget, firstTypoCost: 1, maxExpansions: Infinity, exactFirst: false } },
  ]
}

/** The variant's feedback as `rank()`'s second look, or none. */
const rerankOf = (variant: Variant): Rerank | null => (variant.feedback ? feedbackRerank(variant.feedback) : null)

export async function openIndex(assets: string): Promise<SearchIndex> {
  return loadSearchIndex(fileSource(assets), { postingsBytes: 1 << 30, positionsBytes: 1 << 30, articles: 1 << 20 })
}

export async function readBeir(dir: string) {
  const queries = await readJsonl<{ _id: string; text: string }>(join(dir, 'queries.jsonl'))
  const qrels = await readQrels(join(dir, 'qrels.tsv'))
  const text = new Map(queries.map((q) => [String(q._id), q.text]))
  return [...qrels.keys()].map((qid) => ({ qid, q: fitQuery(text.get(qid)!).q, judged: qrels.get(qid)! }))
}

/** nDCG@10, Recall@100 and relaxed count of one variant over BEIR queries, through `rank()`; per-query nDCG too. */
export async function scoreBeir(index: SearchIndex, queries: Awaited<ReturnType<typeof readBeir>>, variant: Variant) {
  const ndcg: number[] = []
  const recall: number[] = []
  let relaxed = 0
  const started = performance.now()
  for (const { q, judged } of queries) {
    const ranking = await rank(index, { q, topics: [], limit: 100, offset: 0 }, 'auto', variant.options, rerankOf(variant))
    const ids = ranking.ranked.map((hit) => index.ids.at(hit.n)!)
    if (ranking.relaxed) relaxed++
    ndcg.push(ndcgAt(ids, judged, 10)!)
    recall.push(recallAt(ids, judged, 100)!)
  }
  return { ndcg10: mean(ndcg), recall100: mean(recall), relaxed, perQuery: ndcg, ms: (performance.now() - started) / queries.length }
}

/** Topic precision@10 of one variant (the harness's topic queries), through `rank()`. */
export async function scoreTopics(index: SearchIndex, which: 'reuters' | 'bbc', variant: Variant) {
  const queries = which === 'reuters' ? REUTERS_TOPIC_QUERIES : BBC_TOPIC_QUERIES
  const p: number[] = []
  for (const query of queries) {
    const ranking = await rank(index, { q: query.q, topics: [], limit: 10, offset: 0 }, 'auto', variant.options, rerankOf(variant))
    const articles = await index.articles(ranking.ranked.map((hit) => hit.n))
    p.push(articles.filter((a) => a.topics.includes(query.topic)).length / 10)
  }
  return mean(p)
}

/** `docs,terms,weight[,minTerms[,maxDf[,minDocs]]]` over {@link FEEDBACK}. */
export function parsePrf(text: string): FeedbackOptions {
  const bo1 = text.startsWith('bo1:')
  const [docs, terms, weight, minTerms, maxDf, minDocs] = text.replace(/^(bo1|rm3):/, '').split(',').map((v) => (v.trim() === '' ? undefined : Number(v)))
  const out: FeedbackOptions = { ...FEEDBACK, method: bo1 ? 'bo1' : 'rm3' }
  if (docs !== undefined) out.docs = docs
  if (terms !== undefined) out.terms = terms
  if (weight !== undefined) out.weight = weight
  if (minTerms !== undefined) out.minTerms = minTerms
  if (maxDf !== undefined) out.maxDf = maxDf
  if (minDocs !== undefined) out.minDocs = minDocs
  if ([out.docs, out.terms, out.weight, out.minTerms, out.maxDf, out.minDocs].some((v) => !Number.isFinite(v))) throw new Error(`--prf: bad "${text}" (docs,terms,weight[,minTerms[,maxDf[,minDocs]]])`)
  return out
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      beir: { type: 'string' },
      topics: { type: 'string' },
      rules: { type: 'boolean', default: false },
      title: { type: 'string' },
      prf: { type: 'string', multiple: true },
      compare: { type: 'string' },
      'typo-budget': { type: 'string' },
      timing: { type: 'string' },
      'first-typo-cost': { type: 'string' },
    },
  })
  const index = await openIndex(positionals[0]!)
  let base: EngineSearchOptions = QUERY_OPTIONS
  const changed: string[] = []
  if (values.title) {
    base = { ...base, boost: { ...(base.boost as Record<string, number>), title: Number(values.title) } }
    changed.push(`title ${values.title}`)
  }
  if (values['typo-budget'] === 'none') {
    base = { ...base, fuzzy: typosNoBudget }
    changed.push('typos for every word')
  }
  if (values['first-typo-cost']) {
    base = { ...base, firstTypoCost: Number(values['first-typo-cost']) }
    changed.push(`first-letter typo costs ${values['first-typo-cost']}`)
  }
  const variants: Variant[] = values.rules ? ruleVariants() : [{ name: ['worker', ...changed].join(', '), options: base }]
  for (const prf of values.prf ?? []) {
    const feedback = parsePrf(prf)
    variants.push({ name: `prf ${feedback.method} docs ${feedback.docs} terms ${feedback.terms} weight ${feedback.weight} minTerms ${feedback.minTerms} maxDf ${feedback.maxDf} minDocs ${feedback.minDocs}`, options: base, feedback })
  }
  if (values.beir) {
    const queries = await readBeir(values.beir)
    console.log('| variant | nDCG@10 | Recall@100 | relaxed | ms/query |\n|---|---|---|---|---|')
    for (const v of variants) {
      const r = await scoreBeir(index, queries, v)
      console.log(`| ${v.name} | ${r.ndcg10.toFixed(4)} | ${r.recall100.toFixed(4)} | ${r.relaxed} | ${r.ms.toFixed(2)} |`)
    }
  }
  if (values.timing && values.beir) {
    // CPU per query, warm: the first N queries, each run 5 times after a warm-up pass, its fastest run (rank() only, no HTTP, no snippets).
    const queries = (await readBeir(values.beir)).slice(0, Number(values.timing))
    console.log(`\n| variant | rank() ms per query, fastest of 5, over ${queries.length} queries: median / max |\n|---|---|`)
    for (const v of variants) {
      for (const { q } of queries) await rank(index, { q, topics: [], limit: 100, offset: 0 }, 'auto', v.options, rerankOf(v))
      const best = await Promise.all(queries.map(async () => Infinity))
      for (let rep = 0; rep < 5; rep++) {
        for (let i = 0; i < queries.length; i++) {
          const started = performance.now()
          await rank(index, { q: queries[i]!.q, topics: [], limit: 20, offset: 0 }, 'auto', v.options, rerankOf(v))
          best[i] = Math.min(best[i]!, performance.now() - started)
        }
      }
      best.sort((a, b) => a - b)
      console.log(`| ${v.name} | ${best[Math.floor(best.length / 2)]!.toFixed(2)} / ${best[best.length - 1]!.toFixed(2)} |`)
    }
  }
  if (values.compare) {
    // The Worker's top 100 over HTTP (`npm run eval -- <BEIR dir> --json FILE`) against rank() here, query by query.
    const report = JSON.parse(await readFile(values.compare, 'utf8')) as Record<string, { results?: { q: string; ids: string[] }[] }>
    const http = Object.entries(report).find(([key]) => key.startsWith('beir:'))?.[1].results ?? []
    let same100 = 0
    let same10 = 0
    for (const r of http) {
      const ids = (await rank(index, { q: r.q, topics: [], limit: 100, offset: 0 })).ranked.map((hit) => index.ids.at(hit.n)!)
      if (ids.join('\n') === r.ids.join('\n')) same100++
      if (ids.slice(0, 10).join('\n') === r.ids.slice(0, 10).join('\n')) same10++
    }
    console.log(`rank() in process vs ${values.compare}: top 100 identical for ${same100} of ${http.length} queries, top 10 for ${same10}`)
  }
  if (values.topics) {
    console.log('| variant | P@10 |\n|---|---|')
    for (const v of variants) console.log(`| ${v.name} | ${(await scoreTopics(index, values.topics as 'reuters' | 'bbc', v)).toFixed(3)} |`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
