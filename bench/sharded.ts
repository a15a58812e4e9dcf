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
 * Usage: `tsx bench/sharded.ts [--assets generated/assets] [--data data] [--per-type 20] [--warm 5] [--shard-limits 0,9] [--label L]`
 * (`--per-type 0` skips the end-to-end part.)
 * The assets dir must hold `shard-<i>/` (`npm run build -- --shards 4`). A
 * `--shards-only` build has no single index: then only the sharded side is
 * measured (the 1,000,000-article run of issue #3, `docs/benchmarks.md`),
 * each shard serving its own `shard-<i>/` in a `wrangler dev` of its own, as
 * deployed shards would (one session with all configs failed to start at 1M:
 * "Failed to start ProxyWorker", with 65,000 asset files per Worker).
 *
 * `--shard-limits i,j,…`: also checks those shards against the one-Worker
 * limits, each shard's Worker served alone (its own public `/search`, over its
 * documents with the corpus statistics): script size (`wrangler deploy
 * --dry-run`), startup CPU (`wrangler check startup`), Ready → first answer,
 * retained heap after load and after the mixed queries (`bench/lib/measure.ts`).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readCorpus } from './lib/corpus'
import { QUERY_TYPES, QueryGenerator, queryPath, type Query } from './lib/queries'
import { measureDev } from './lib/measure'
import { fmtBytes, fmtMs, percentile, ratio, table } from './lib/stats'
import { assetsStats, scriptSize, startDev, startupCpu, tempConfig } from './lib/wrangler'
import { shardCount, shardedConfigs } from '../sharded/configs'

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: 'generated/assets' },
    data: { type: 'string', multiple: true },
    'per-type': { type: 'string', default: '20' },
    warm: { type: 'string', default: '5' },
    'shard-limits': { type: 'string', default: '' },
    label: { type: 'string', default: '' },
  },
})
const assets = values.assets
const perType = Number(values['per-type'])
const shards = shardCount(assets)
if (shards === 0) throw new Error(`no shard-<i>/ in ${assets}: build with npm run build -- --shards 4`)
const hasSingle = existsSync(join(assets, 'manifest.json'))
const limitShards = values['shard-limits'] ? values['shard-limits'].split(',').map(Number) : []
if (limitShards.some((i) => !Number.isInteger(i) || i < 0 || i >= shards)) throw new Error(`--shard-limits: shard numbers from 0 to ${shards - 1}`)

const corpus = await readCorpus(values.data ?? ['data'])
const queries = new QueryGenerator(corpus).mixed(perType)
const warmup = new QueryGenerator(corpus, 7).mixed(Number(values.warm))
const dir = `.tmp/bench-sharded-${process.pid}`
mkdirSync(dir, { recursive: true })

/**
 * Milliseconds per query, by type; any answer but 200 fails the run. `configs`
 * run in one `wrangler dev` session, or, with `separate`, each in its own
 * (the shards first, the front, `configs[0]`, last: it finds them through
 * wrangler's local dev registry).
 */
async function measure(label: string, configs: string | string[], separate = false): Promise<Map<string, number[]>> {
  const others: Awaited<ReturnType<typeof startDev>>[] = []
  if (separate && Array.isArray(configs)) {
    for (const config of configs.slice(1)) others.push(await startDev(config))
    console.error(`${label}: ${others.length} shard sessions ready`)
  }
  const server = await startDev(separate && Array.isArray(configs) ? configs[0]! : configs)
  try {
    const send = async (query: Query) => {
      const started = performance.now()
      const response = await fetch(server.url + queryPath(query))
      await response.arrayBuffer()
      const ms = performance.now() - started
      if (response.status !== 200) throw new Error(`${label}: ${queryPath(query)} answered ${response.status}`)
      return ms
    }
    // Ready → first answer (the shards load their indexes on it; a 503 while they do is retried).
    const firstPath = queryPath(warmup[0]!)
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await fetch(server.url + firstPath)
      await response.arrayBuffer()
      if (response.status === 200) break
      if (response.status !== 503) throw new Error(`${label}: ${firstPath} answered ${response.status}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    console.error(`${label}: Ready → first /search 200 in ${(performance.now() - server.readyAt).toFixed(0)} ms`)
    for (const query of warmup) await send(query)
    const times = new Map<string, number[]>()
    for (const query of queries) times.set(query.type, [...(times.get(query.type) ?? []), await send(query)])
    console.error(`${label}: ${queries.length} queries measured`)
    return times
  } finally {
    await server.stop()
    for (const other of others) await other.stop()
  }
}

/** One shard's Worker alone against the one-Worker limits (see the module comment). */
function shardLimitRow(i: number, config: string, figures: Awaited<ReturnType<typeof measureDev>>): string[] {
  const size = scriptSize(config, join(dir, `dist-${i}`))
  const startup = startupCpu(config, join(dir, `startup-${i}.cpuprofile`))
  const files = assetsStats(join(assets, `shard-${i}`))
  const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MiB`)
  return [
    `shard ${i}`,
    `${(size.gzipKiB / 1024).toFixed(2)} MiB`,
    `${startup.nonIdleMs.toFixed(1)} ms`,
    `${files.files} / ${fmtBytes(files.totalBytes)} / ${files.largest?.name ?? ''} ${fmtBytes(files.largest?.bytes)}`,
    figures.firstAnswerMs === null ? `n/a (${figures.firstAnswerStatus})` : `${figures.firstAnswerMs.toFixed(0)} ms`,
    mib(figures.heapAfterLoad.usedBytes),
    `${mib(figures.heapAfterQueries.usedBytes)} (${figures.mixedQueries} queries${figures.errors.length ? `, ${figures.errors.length} errors` : ''})`,
  ]
}

try {
  const label = values.label ? `${values.label}: ` : ''
  console.error(`${label}${assets}: ${shards} shards${hasSingle ? '' : ' (shards only, no single index)'}; ${queries.length} queries (${perType} per type), ${warmup.length} warm-up`)
  // A shards-only build: each shard serves its own directory, in a wrangler dev of its own (sharded/configs.ts says why).
  const configs = shardedConfigs({ dir, assets, name: `bench-${process.pid}`, layout: hasSingle ? 'shared' : 'own' })
  // --per-type 0: only the shard limits.
  if (perType > 0) {
    const sharded = await measure(`front + ${shards} shards`, configs.all, !hasSingle)
    const single = hasSingle ? await measure('single Worker', tempConfig({ dir, name: `bench-single-${process.pid}`, assets })) : undefined
    const all = (times: Map<string, number[]>) => [...times.values()].flat()
    const cells = (a: number[]) => [fmtMs(percentile(a, 50)), fmtMs(percentile(a, 99))]
    const row = (type: string, a: number[], b: number[] | undefined) =>
      b ? [type, ...cells(a), ...cells(b), ratio(percentile(a, 50), percentile(b, 50)), ratio(percentile(a, 99), percentile(b, 99))] : [type, ...cells(a)]
    const rows = QUERY_TYPES.filter((type) => sharded.has(type)).map((type) => row(type, sharded.get(type)!, single?.get(type)))
    rows.push(row('all', all(sharded), single ? all(single) : undefined))
    console.log(`\n${label}end-to-end /search latency, ms (wrangler dev, sequential, ${perType} per type):\n`)
    const header = ['query type', `${shards} shards p50`, `${shards} shards p99`]
    console.log(table(single ? [...header, 'single p50', 'single p99', 'p50 ratio', 'p99 ratio'] : header, rows))
  }

  if (limitShards.length > 0) {
    const limitRows: string[][] = []
    const mixed = new QueryGenerator(corpus, 11).mixed(91)
    for (const i of limitShards) {
      const config = configs.shards[i]!
      console.error(`shard ${i} alone: ${mixed.length} mixed queries`)
      const figures = await measureDev({ config, first: mixed.find((q) => q.type === 'one-word')!, mixed, profilePerType: 0, loadSeconds: 0, connections: 16, log: (line) => console.error(line) })
      limitRows.push(shardLimitRow(i, config, figures))
    }
    console.log(`\n${label}each shard's Worker alone, against one Worker's limits (script ≤ 3 MiB gzip, startup ≤ 50 ms, heap ≤ 32 MB = 30.5 MiB, ≤ 20,000 asset files of ≤ 25 MiB):\n`)
    console.log(table(['shard', 'script gzip', 'startup CPU', 'assets: files / bytes / largest', 'Ready → first /search', 'heap after load', 'heap after mixed queries'], limitRows))
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
