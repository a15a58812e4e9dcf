/**
 * `npm run bench:sharded`: end-to-end latency of `/search` through the front
 * Worker and K shard Workers (one `wrangler dev` session, service bindings;
 * `sharded/configs.ts`), against the single Worker over the same build.
 *
 * Each side is served alone (the other stopped, so they do not share the CPU),
 * warmed with a query mix of another seed, then sent the same fixed-seed mix
 * (`bench/lib/queries.ts`, drawn from the corpus input) one request at a time.
 * Prints p50 / p99 per query type and their ratio (sharded / single).
 *
 * Usage: `tsx bench/sharded.ts [--assets generated/assets] [--data data] [--per-type 20] [--warm 5]`
 * The assets dir must hold `shard-<i>/` (`npm run build -- --shards 4`).
 */
import { mkdirSync, rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { readCorpus } from './lib/corpus'
import { QUERY_TYPES, QueryGenerator, queryPath, type Query } from './lib/queries'
import { fmtMs, percentile, ratio, table } from './lib/stats'
import { startDev, tempConfig } from './lib/wrangler'
import { shardCount, shardedConfigs } from '../sharded/configs'

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: 'generated/assets' },
    data: { type: 'string', multiple: true },
    'per-type': { type: 'string', default: '20' },
    warm: { type: 'string', default: '5' },
  },
})
const assets = values.assets
const perType = Number(values['per-type'])
const shards = shardCount(assets)
if (shards === 0) throw new Error(`no shard-<i>/ in ${assets}: build with npm run build -- --shards 4`)

const corpus = await readCorpus(values.data ?? ['data'])
const queries = new QueryGenerator(corpus).mixed(perType)
const warmup = new QueryGenerator(corpus, 7).mixed(Number(values.warm))
const dir = `.tmp/bench-sharded-${process.pid}`
mkdirSync(dir, { recursive: true })

/** Milliseconds per query, by type; any answer but 200 fails the run. */
async function measure(label: string, configs: string | string[]): Promise<Map<string, number[]>> {
  const server = await startDev(configs)
  try {
    const send = async (query: Query) => {
      const started = performance.now()
      const response = await fetch(server.url + queryPath(query))
      await response.arrayBuffer()
      const ms = performance.now() - started
      if (response.status !== 200) throw new Error(`${label}: ${queryPath(query)} answered ${response.status}`)
      return ms
    }
    for (const query of warmup) await send(query)
    const times = new Map<string, number[]>()
    for (const query of queries) times.set(query.type, [...(times.get(query.type) ?? []), await send(query)])
    console.error(`${label}: ${queries.length} queries measured`)
    return times
  } finally {
    await server.stop()
  }
}

try {
  console.error(`${assets}: ${shards} shards; ${queries.length} queries (${perType} per type), ${warmup.length} warm-up`)
  const sharded = await measure(`front + ${shards} shards`, shardedConfigs({ dir, assets, name: `bench-${process.pid}` }).all)
  const single = await measure('single Worker', tempConfig({ dir, name: `bench-single-${process.pid}`, assets }))
  const all = (times: Map<string, number[]>) => [...times.values()].flat()
  const row = (type: string, a: number[], b: number[]) => [
    type,
    fmtMs(percentile(a, 50)),
    fmtMs(percentile(a, 99)),
    fmtMs(percentile(b, 50)),
    fmtMs(percentile(b, 99)),
    ratio(percentile(a, 50), percentile(b, 50)),
    ratio(percentile(a, 99), percentile(b, 99)),
  ]
  const rows = QUERY_TYPES.filter((type) => sharded.has(type)).map((type) => row(type, sharded.get(type)!, single.get(type)!))
  rows.push(row('all', all(sharded), all(single)))
  console.log(`\nEnd-to-end /search latency, ms (wrangler dev, sequential, ${perType} per type):\n`)
  console.log(table(['query type', `${shards} shards p50`, `${shards} shards p99`, 'single p50', 'single p99', 'p50 ratio', 'p99 ratio'], rows))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
