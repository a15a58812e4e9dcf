/**
 * The relevance harness: `npm run eval -- [<BEIR dir>] [options]`.
 *
 * Builds each collection with the project's build CLI into a temporary
 * directory, serves it with the real Worker (`wrangler dev`), and sends every
 * query to `GET /search` over loopback. See docs/relevance.md.
 *
 * ```text
 * npm run eval -- ../shared/relevance/scifact                    # nDCG@10, Recall@100
 * npm run eval -- ../shared/relevance/scifact --modes            # + query modes compared in process
 * npm run eval -- --topics data/reuters-21578/articles.jsonl     # topic precision@10 on Reuters
 * npm run eval -- --bbc ../shared/corpora/bbc-news/articles.jsonl
 * ```
 */
import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readJsonl, readQrels } from './beir'
import { mean, ndcgAt, recallAt, type Judgements } from './metrics'
import { loadModes, type LoadedModes } from './modes'
import { fitQuery, MAX_QUERY_LENGTH } from './query'
import { BBC_TOPIC_QUERIES, REUTERS_TOPIC_QUERIES, type TopicQuery } from './topic-queries'
import { CURRENT, describe as describeSetting, FIELDS, isBuilt, neighbours, parseBm25, parseBoost, Tuner, type Setting, type TuneRow } from './tune'
import { buildIndex, mapLimit, PROJECT_ROOT, serveCollection, type ServedIndex } from './worker'

const USAGE = `usage: npm run eval -- [<BEIR dir>] [options]

  <BEIR dir>            corpus.jsonl {_id,title,text}, queries.jsonl {_id,text}, qrels.tsv (header query-id corpus-id score)
  --topics FILE         Reuters-21578 articles.jsonl: topic precision@10 over ${REUTERS_TOPIC_QUERIES.length} topic queries
  --bbc FILE            BBC News articles.jsonl: topic precision@10 over ${BBC_TOPIC_QUERIES.length} topic queries
  --assets DIR          with --topics: serve these prebuilt artefacts (e.g. generated/assets) instead of building FILE
  --modes               also compare query modes in process (the Worker's loader and analyzer, rules varied)
  --concurrency N       requests in flight (default 4)
  --json FILE           write every per-query result to FILE
  -h, --help

tuning, in process (no Worker, no HTTP; see docs/relevance.md, "Tuning"); any of these selects it:
  --tune                the setting below and its neighbours, one dimension at a time
  --boost title=1,...   field boosts over the current ones (title, summary, topics, body)
  --bm25 k=0.9,b=0.4,d=0  BM25+ parameters over the current 1.2 / 0.7 / 0.5
  --coord C             coordination exponent: sum × q^C, q = distinct query terms matched (1: current)
  --stop LIST           stop words: default, lucene, nltk, none
  --stem S              porter (current), s (plurals only), none
  --dedup               each query term once
  --max-df F            drop query terms in more than F of the documents
  --proximity L         proximity bonus weight (0: off)
  --field-b title=0.3   BM25 b per field (others: --bm25's b)
  --flat                title, summary and body indexed as one field (Anserini's "flat"; a build change)
  --cache DIR           build each collection into DIR/<name> once and reuse it (delete DIR after src/ or index-build/ changes)`

const K_NDCG = 10
const K_RECALL = 100
const LIMIT = 100

interface QueryResult {
  id: string
  text: string
  q: string
  truncated: boolean
  relevant: number
  total: number
  relaxed: boolean
  ids: string[]
  duplicates: number
  ndcg10: number | undefined
  recall100: number | undefined
}

const fmt = (value: number, digits = 3) => (Number.isNaN(value) ? '–' : value.toFixed(digits))

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))]
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n')
}

function environment(): string {
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT }).toString().trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'index-build', 'wrangler.toml'], { cwd: PROJECT_ROOT }).toString().trim()
    if (dirty) commit += ' + uncommitted changes in src/, index-build/ or wrangler.toml'
  } catch {}
  const cpu = cpus()
  return `${new Date().toISOString()} · node ${process.version} · ${cpu.length} × ${cpu[0]?.model ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(1)} GiB · commit ${commit}`
}

function scoreRanking(ids: string[], judged: Judgements) {
  return { ndcg10: ndcgAt(ids, judged, K_NDCG), recall100: recallAt(ids, judged, K_RECALL) }
}

async function evalBeir(dir: string, options: { modes: boolean; concurrency: number }) {
  const queries = await readJsonl<{ _id: string; text: string }>(join(dir, 'queries.jsonl'))
  const qrels = await readQrels(join(dir, 'qrels.tsv'))
  const textById = new Map(queries.map((query) => [String(query._id), query.text]))
  const missing = [...qrels.keys()].filter((qid) => !textById.has(qid))
  if (missing.length > 0) throw new Error(`${missing.length} qrels query ids are not in queries.jsonl (first: ${missing[0]})`)
  const qids = [...qrels.keys()]
  const withoutRelevant = qids.filter((qid) => ![...qrels.get(qid)!.values()].some((score) => score > 0))

  const served = await serveCollection({ jsonl: join(dir, 'corpus.jsonl'), map: 'id=_id,body=text', reference: options.modes })
  try {
    const started = Date.now()
    const results = await mapLimit(qids, options.concurrency, async (qid): Promise<QueryResult> => {
      const text = textById.get(qid)!
      const { q, truncated } = fitQuery(text)
      const answer = await served.search({ q, limit: String(LIMIT) })
      const ids = answer.hits.map((hit) => hit.id)
      const judged = qrels.get(qid)!
      return {
        id: qid, text, q, truncated,
        relevant: [...judged.values()].filter((score) => score > 0).length,
        total: answer.total, relaxed: answer.relaxed, ids,
        duplicates: ids.length - new Set(ids).size,
        ...scoreRanking(ids, judged),
      }
    })
    const seconds = (Date.now() - started) / 1000
    const scored = results.filter((r) => r.ndcg10 !== undefined)
    const summary = {
      collection: dir,
      queries: qids.length,
      scored: scored.length,
      excludedNoRelevant: withoutRelevant.length,
      truncated: results.filter((r) => r.truncated).length,
      relaxed: results.filter((r) => r.relaxed).length,
      empty: results.filter((r) => r.ids.length === 0).length,
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      ndcg10: mean(results.map((r) => r.ndcg10)),
      recall100: mean(results.map((r) => r.recall100)),
      ndcg10Relaxed: mean(results.filter((r) => r.relaxed).map((r) => r.ndcg10)),
      ndcg10Strict: mean(results.filter((r) => !r.relaxed).map((r) => r.ndcg10)),
      seconds,
      retries: served.retries.count,
      reloads: served.reloads.count,
    }
    console.log(`\n## ${dir} — the Worker over HTTP (GET /search?q=…&limit=${LIMIT})\n`)
    console.log(table(['queries', 'scored', `nDCG@${K_NDCG}`, `Recall@${K_RECALL}`, 'relaxed to OR', 'no hits', `truncated to ${MAX_QUERY_LENGTH} chars`, 'duplicate hits'], [[
      summary.queries, summary.scored, fmt(summary.ndcg10), fmt(summary.recall100), summary.relaxed, summary.empty, summary.truncated, summary.duplicates,
    ]]))
    console.log(`\nnDCG@${K_NDCG} of the ${summary.relaxed} queries relaxed to OR: ${fmt(summary.ndcg10Relaxed)}; of the ${qids.length - summary.relaxed} answered with AND: ${fmt(summary.ndcg10Strict)}.`)
    if (withoutRelevant.length > 0) console.log(`${withoutRelevant.length} queries have no relevant document in the qrels and are left out of the means.`)
    for (const r of results.filter((r) => r.truncated)) console.log(`truncated query ${r.id} (${r.text.length} → ${r.q.length} chars): "${r.q}"`)
    console.log(`${qids.length} queries in ${seconds.toFixed(1)} s over HTTP; ${served.retries.count} request(s) retried; the Worker reloaded ${served.reloads.count} time(s) during the run${served.reloads.count > 0 ? ' (src/ changed: the figures may mix two versions; re-run)' : ''}.`)

    let modes: Record<string, unknown>[] | undefined
    if (options.modes) modes = await compareModes(served, qids, textById, qrels, results)
    return { summary, modes, results }
  } finally {
    await served.close()
  }
}

async function tryLoadModes(served: ServedIndex): Promise<LoadedModes | undefined> {
  try {
    return await loadModes(served.assets)
  } catch (error) {
    console.log(`\nquery modes unavailable (the in-process comparison needs the current index internals): ${(error as Error).message}`)
    return undefined
  }
}

async function compareModes(
  served: ServedIndex,
  qids: string[],
  textById: Map<string, string>,
  qrels: Map<string, Map<string, number>>,
  http: QueryResult[],
) {
  const loaded = await tryLoadModes(served)
  if (!loaded) return undefined
  const rows: Record<string, unknown>[] = []
  for (const mode of loaded.modes) {
    let sameAsHttp = 0
    const runs = qids.map((qid, i) => {
      const run = mode.run(fitQuery(textById.get(qid)!).q, LIMIT)
      if (run.ids.join('\n') === http[i]!.ids.join('\n')) sameAsHttp++
      return { ...run, ...scoreRanking(run.ids, qrels.get(qid)!) }
    })
    rows.push({
      mode: mode.name,
      description: mode.description,
      ndcg10: mean(runs.map((r) => r.ndcg10)),
      recall100: mean(runs.map((r) => r.recall100)),
      relaxed: runs.filter((r) => r.relaxed).length,
      empty: runs.filter((r) => r.ids.length === 0).length,
      sameAsHttp,
    })
  }
  console.log(`\n### Query modes, in process: MiniSearch over the build's reference/minisearch.json (src/analyzer, FIELD_BOOSTS), rules varied\n`)
  console.log(table(['mode', `nDCG@${K_NDCG}`, `Recall@${K_RECALL}`, 'relaxed', 'no hits', 'top-100 identical to HTTP', 'rules'], rows.map((r) => [
    r.mode as string, fmt(r.ndcg10 as number), fmt(r.recall100 as number), r.relaxed as number, r.empty as number, `${r.sameAsHttp}/${qids.length}`, r.description as string,
  ])))
  return rows
}

async function evalTopics(name: string, input: { jsonl: string; reference?: boolean } | { prebuilt: string }, queries: TopicQuery[], options: { modes: boolean; concurrency: number }) {
  const served = await serveCollection(input)
  try {
    const topics = await served.topics()
    const slugByName = new Map(topics.map((topic) => [topic.topic, topic.slug]))
    const unknown = queries.filter((query) => !topics.some((topic) => topic.slug === query.topic))
    if (unknown.length > 0) throw new Error(`${name}: topics not in the index: ${unknown.map((query) => query.topic).join(', ')}`)
    const articlesWith = new Map(topics.map((topic) => [topic.slug, topic.count]))
    const results = await mapLimit(queries, options.concurrency, async (query) => {
      const answer = await served.search({ q: query.q, limit: String(K_NDCG) })
      const on = answer.hits.filter((hit) => hit.topics.some((topic) => (slugByName.get(topic) ?? topic) === query.topic)).length
      return { ...query, hits: answer.hits.length, onTopic: on, precision: on / K_NDCG, relaxed: answer.relaxed, total: answer.total }
    })
    console.log(`\n## Topic precision@${K_NDCG} — ${name} (${'jsonl' in input ? input.jsonl : input.prebuilt}), the Worker over HTTP\n`)
    console.log(table(['topic', 'articles with it', 'query', 'hits', 'on topic', `P@${K_NDCG}`, 'relaxed'], results.map((r) => [
      r.topic, articlesWith.get(r.topic) ?? 0, r.q, r.hits, r.onTopic, fmt(r.precision, 1), r.relaxed ? 'yes' : '',
    ])))
    const precision = mean(results.map((r) => r.precision))
    console.log(`\nmean P@${K_NDCG} over ${results.length} queries: ${fmt(precision)} (a slot left empty counts as off topic); ${served.retries.count} request(s) retried; the Worker reloaded ${served.reloads.count} time(s) during the run.`)
    let modes: Record<string, unknown>[] | undefined
    if (options.modes) {
      const loaded = await tryLoadModes(served)
      if (loaded) {
        const { topicsById } = loaded
        modes = loaded.modes.map((mode) => {
          const p = queries.map((query) => mode.run(query.q, K_NDCG).ids.filter((id) => topicsById.get(id)?.includes(query.topic)).length / K_NDCG)
          return { mode: mode.name, precision: mean(p) }
        })
        console.log(`\nmean P@${K_NDCG} by query mode (in process): ${modes.map((m) => `${m.mode} ${fmt(m.precision as number)}`).join(' · ')}`)
      }
    }
    return { name, precision, modes, results }
  } finally {
    await served.close()
  }
}

/** Builds `jsonl` with the project's CLI (with `--reference`) into the cache, or a temporary directory. */
async function builtAssets(name: string, jsonl: string, map: string | undefined, cache: string | undefined): Promise<{ assets: string; done(): Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const dir = cache ? join(cache, name) : await mkdtemp(join(tmpdir(), 'eval-tune-'))
  const assets = cache ? dir : join(dir, 'assets')
  if (!(cache && (await isBuilt(assets)))) {
    const started = Date.now()
    await buildIndex(jsonl, assets, { map, reference: true })
    console.error(`built ${jsonl} in ${((Date.now() - started) / 1000).toFixed(1)} s${cache ? ` into ${assets}` : ''}`)
  } else console.error(`reusing the build in ${assets} (delete it after changes to src/ or index-build/)`)
  return { assets, done: async () => (cache ? undefined : rm(dir, { recursive: true, force: true })) }
}

const MODES: Setting['mode'][] = ['worker', 'or-exact']

function settingJson(setting: Setting): string {
  return `boost ${FIELDS.map((f) => `${f}=${setting.boost[f]}`).join(',')} · bm25 k=${setting.bm25.k},b=${setting.bm25.b},d=${setting.bm25.d} · coord ${setting.coord} · stop ${setting.stop} · stem ${setting.stem}${setting.dedup ? ' · dedup' : ''}${setting.maxDf < 1 ? ` · max-df ${setting.maxDf}` : ''}${setting.proximity > 0 ? ` · proximity ${setting.proximity}` : ''}${setting.flat ? ' · flat' : ''}${setting.fieldB ? ` · field b ${JSON.stringify(setting.fieldB)}` : ''}`
}

async function tuneBeir(dir: string, base: Setting, grid: boolean, cache: string | undefined) {
  const queries = await readJsonl<{ _id: string; text: string }>(join(dir, 'queries.jsonl'))
  const qrels = await readQrels(join(dir, 'qrels.tsv'))
  const textById = new Map(queries.map((query) => [String(query._id), query.text]))
  const qids = [...qrels.keys()]
  const name = dir.replace(/\/+$/, '').split('/').pop()!
  const built = await builtAssets(name, join(dir, 'corpus.jsonl'), 'id=_id,body=text', cache)
  try {
    const tuner = await Tuner.open(built.assets)
    const settings = [CURRENT, base, ...(grid ? neighbours(base) : [])].filter((s, i, all) => all.findIndex((t) => JSON.stringify(t) === JSON.stringify(s)) === i)
    const rows: TuneRow[] = []
    const started = Date.now()
    for (const mode of MODES) {
      for (const s of settings) {
        const setting = { ...s, mode }
        const runs = qids.map((qid) => tuner.run(fitQuery(textById.get(qid)!).q, setting, LIMIT))
        rows.push({
          setting, label: describeSetting(setting),
          ndcg10: mean(runs.map((r, i) => ndcgAt(r.ids, qrels.get(qids[i]!)!, K_NDCG))),
          recall100: mean(runs.map((r, i) => recallAt(r.ids, qrels.get(qids[i]!)!, K_RECALL))),
          relaxed: runs.filter((r) => r.relaxed).length,
        })
      }
    }
    console.log(`\n## ${dir} — tuning in process (${qids.length} queries; ${((Date.now() - started) / 1000).toFixed(1)} s)\n`)
    console.log(`setting: ${settingJson(base)}\nrows: "current" is the project's ranking; other labels name what differs from it. worker = AND → OR, prefix on the last word, typos; or-exact = OR, exact terms.\n`)
    console.log(table(['setting', 'mode', `nDCG@${K_NDCG}`, `Recall@${K_RECALL}`, 'relaxed'], rows.map((r) => [
      r.label === describeSetting(base) ? `**${r.label}**` : r.label, r.setting.mode, fmt(r.ndcg10!), fmt(r.recall100!), r.relaxed!,
    ])))
    return rows.map(({ setting, ...rest }) => ({ ...rest, mode: setting.mode }))
  } finally {
    await built.done()
  }
}

async function tuneTopics(name: string, jsonl: string, queries: TopicQuery[], base: Setting, grid: boolean, cache: string | undefined) {
  const built = await builtAssets(name.split(/[^A-Za-z]/)[0]!.toLowerCase(), jsonl, undefined, cache)
  try {
    const tuner = await Tuner.open(built.assets)
    const topicsById = new Map(tuner.articles.map((a) => [a.id, a.topicSlugs]))
    const settings = [CURRENT, base, ...(grid ? neighbours(base) : [])].filter((s, i, all) => all.findIndex((t) => JSON.stringify(t) === JSON.stringify(s)) === i)
    const rows: TuneRow[] = []
    for (const mode of MODES) {
      for (const s of settings) {
        const setting = { ...s, mode }
        const p = queries.map((query) => tuner.run(query.q, setting, K_NDCG).ids.filter((id) => topicsById.get(id)?.includes(query.topic)).length / K_NDCG)
        rows.push({ setting, label: describeSetting(setting), precision: mean(p) })
      }
    }
    console.log(`\n## Topic precision@${K_NDCG} — ${name} (${jsonl}), tuning in process (${queries.length} queries)\n`)
    console.log(table(['setting', 'mode', `P@${K_NDCG}`], rows.map((r) => [r.label, r.setting.mode, fmt(r.precision!)])))
    return rows.map(({ setting, ...rest }) => ({ ...rest, mode: setting.mode }))
  } finally {
    await built.done()
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      topics: { type: 'string' },
      bbc: { type: 'string' },
      assets: { type: 'string' },
      modes: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      json: { type: 'string' },
      tune: { type: 'boolean', default: false },
      boost: { type: 'string' },
      bm25: { type: 'string' },
      coord: { type: 'string' },
      stop: { type: 'string' },
      stem: { type: 'string' },
      dedup: { type: 'boolean', default: false },
      'max-df': { type: 'string' },
      proximity: { type: 'string' },
      flat: { type: 'boolean', default: false },
      'field-b': { type: 'string' },
      cache: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help || (positionals.length === 0 && !values.topics && !values.bbc && !values.assets)) {
    console.log(USAGE)
    return values.help ? 0 : 1
  }
  const options = { modes: values.modes, concurrency: Math.max(1, Number(values.concurrency) || 4) }
  console.log(`# Relevance evaluation\n\n${environment()}\ncommand: npm run eval -- ${argv.join(' ')}`)
  const report: Record<string, unknown> = { environment: environment(), argv }
  const tuning = values.tune || [values.boost, values.bm25, values.coord, values.stop, values.stem, values['max-df'], values.proximity].some((v) => v !== undefined) || values.dedup || values.flat || values['field-b'] !== undefined
  if (tuning) {
    const setting: Setting = {
      ...CURRENT,
      boost: values.boost ? parseBoost(values.boost, CURRENT.boost) : CURRENT.boost,
      bm25: values.bm25 ? parseBm25(values.bm25, CURRENT.bm25) : CURRENT.bm25,
      coord: values.coord !== undefined ? Number(values.coord) : CURRENT.coord,
      stop: values.stop ?? CURRENT.stop,
      stem: (values.stem ?? CURRENT.stem) as Setting['stem'],
      dedup: values.dedup,
      maxDf: values['max-df'] !== undefined ? Number(values['max-df']) : CURRENT.maxDf,
      proximity: values.proximity !== undefined ? Number(values.proximity) : CURRENT.proximity,
      ...(values.flat ? { flat: true } : {}),
      ...(values['field-b'] ? { fieldB: parseBoost(values['field-b'], {} as Setting['boost']) } : {}),
    }
    for (const dir of positionals) report[`tune:${dir}`] = await tuneBeir(dir, setting, values.tune, values.cache)
    if (values.topics) report.tuneReuters = await tuneTopics('Reuters-21578', values.topics, REUTERS_TOPIC_QUERIES, setting, values.tune, values.cache)
    if (values.bbc) report.tuneBbc = await tuneTopics('BBC News', values.bbc, BBC_TOPIC_QUERIES, setting, values.tune, values.cache)
    if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 1)}\n`)
    return 0
  }
  for (const dir of positionals) report[`beir:${dir}`] = await evalBeir(dir, options)
  if (values.topics || values.assets) {
    const input = values.assets ? { prebuilt: values.assets } : { jsonl: values.topics!, reference: options.modes }
    report.reuters = await evalTopics('Reuters-21578', input, REUTERS_TOPIC_QUERIES, options)
  }
  if (values.bbc) report.bbc = await evalTopics('BBC News', { jsonl: values.bbc, reference: options.modes }, BBC_TOPIC_QUERIES, options)
  if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 1)}\n`)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error)
    process.exit(1)
  },
)
