/**
 * `npm run check:limits`: checks the bundled data against the Workers free
 * plan, as this project sets its budget, and exits 1 with the failures.
 *
 * | check | limit |
 * |---|---|
 * | script gzip (`wrangler deploy --dry-run`) | ≤ 3 MiB |
 * | startup CPU (`wrangler check startup`, non-idle profile time, least of 3) | ≤ 50 ms |
 * | isolate heap after loading and 1,001 mixed queries (91 of each of the 11 types) (workerd inspector, after GC) | ≤ 32 MB |
 * | largest static asset file | ≤ 25 MiB |
 * | static asset files | ≤ 20,000 |
 * | with `--worst-case`: CPU of the costliest requests the API's caps allow (bench/lib/queries.ts worstCaseQueries), warm isolate: median per request of workerd's main thread over 40 runs (/proc schedstat), the Worker alone in Miniflare (bench/lib/isolate-cpu.ts) | ≤ 10 ms |
 *
 * The first five are the free plan's limits and gate CI (.ci/run). The
 * sixth is the free plan's 10 ms of CPU per request, for hostile requests
 * (issue 6). It runs only when asked: its figures sit at 4–10 ms, and the
 * same request's median moves by up to 2 ms from one run to the next on this
 * 2-core machine, so as a CI gate it would fail at random. It counts CPU
 * time, not wall time, and also workerd's HTTP work and Miniflare's entry
 * Worker, which the note gives as the floor (a 404). `--worst-case` also
 * prints the same requests through `wrangler dev` (inspector profile and
 * /proc): upper bounds that hold the dev server's proxy, asset and cache
 * Workers (docs/benchmarks.md).
 *
 * Uses generated/assets as it is (runs `npm run build` only when it is
 * missing). A figure that cannot be measured is a failure, not a pass.
 *
 * @example
 * ```sh
 * npm run check:limits                    # the free-plan limits (CI)
 * npm run check:limits -- --worst-case    # and the hostile-request CPU budget
 * ```
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { readCorpus } from './lib/corpus'
import { IsolateCpuProbe, measureQueryTypes, measureWorstCases } from './lib/isolate-cpu'
import { measureDev } from './lib/measure'
import { QueryGenerator, queryPath, worstCaseQueries } from './lib/queries'
import { fmtBytes, table } from './lib/stats'
import { assetsStats, compatibilityDate, scriptSize, startupCpu, tempConfig } from './lib/wrangler'

const MiB = 1024 * 1024
const ASSETS = 'generated/assets'
const TMP = resolve('.tmp/check-limits')

interface Check {
  name: string
  value: number | null
  limit: number
  show: (n: number) => string
  note?: string
}

const withWorstCase = process.argv.includes('--worst-case')
/** Warm runs per worst-case request: /proc counts 10 ms ticks, so 40 runs resolve 0.25 ms. */
const WORST_CASE_RUNS = 40

async function main(): Promise<number> {
  if (!existsSync(join(ASSETS, 'manifest.json'))) {
    console.error(`${ASSETS} is missing: running npm run build`)
    const build = spawnSync('npm', ['run', 'build', '--', '--quiet'], { stdio: 'inherit' })
    if (build.status !== 0) return 1
  }
  mkdirSync(TMP, { recursive: true })
  const config = tempConfig({ dir: TMP, name: 'check-limits', assets: ASSETS })
  const checks: Check[] = []
  const attempt = async <T>(f: () => T | Promise<T>): Promise<[T | null, string | undefined]> => {
    try {
      return [await f(), undefined]
    } catch (error) {
      return [null, (error as Error).message.split('\n').slice(0, 3).join(' ')]
    }
  }

  const [script, scriptError] = await attempt(() => scriptSize(config, join(TMP, 'dist')))
  checks.push({ name: 'script gzip (wrangler deploy --dry-run)', value: script ? script.gzipKiB * 1024 : null, limit: 3 * MiB, show: fmtBytes, note: scriptError })

  // Least of 3: the profile samples on a wall-clock timer, so a busy machine only ever adds time.
  const [startup, startupError] = await attempt(() => {
    const runs = [1, 2, 3].map((i) => startupCpu(config, join(TMP, `startup-${i}.cpuprofile`)))
    const best = runs.reduce((a, b) => (b.nonIdleMs < a.nonIdleMs ? b : a))
    return { ...best, all: runs.map((r) => r.nonIdleMs.toFixed(1)).join(', ') }
  })
  checks.push({
    name: 'startup CPU (wrangler check startup, non-idle)',
    value: startup?.nonIdleMs ?? null,
    limit: 50,
    show: (n) => `${n.toFixed(1)} ms`,
    note: startupError ?? (startup ? `least of 3 (${startup.all} ms); profile span ${startup.spanMs.toFixed(1)} ms` : undefined),
  })

  const assets = assetsStats(ASSETS)
  checks.push({ name: 'largest static asset file', value: assets.largest.bytes, limit: 25 * MiB, show: fmtBytes, note: assets.largest.name })
  checks.push({ name: 'static asset files', value: assets.files, limit: 20_000, show: (n) => String(n), note: `${fmtBytes(assets.totalBytes)} in all` })

  const corpus = await readCorpus(['data/'])
  const generator = new QueryGenerator(corpus)
  const first = generator.next('one-word')
  const mixed = generator.mixed(91)
  const [dev, devError] = await attempt(() =>
    measureDev({ config, first, mixed, profilePerType: 0, worst: withWorstCase ? worstCaseQueries(corpus) : [], worstRuns: 5, loadSeconds: 0, connections: 1, log: (line) => console.error(line) }),
  )
  const heap = dev?.heapAfterQueries
  checks.push({
    name: `isolate heap after load + ${dev?.mixedQueries ?? 1000} mixed queries`,
    value: heap?.usedBytes ?? null,
    limit: 32 * 1000 * 1000,
    show: (n) => `${(n / 1e6).toFixed(1)} MB`,
    note: devError ?? (dev ? `${heap?.note}; after load alone ${dev.heapAfterLoad.usedBytes === null ? 'n/a' : `${(dev.heapAfterLoad.usedBytes / 1e6).toFixed(1)} MB`}${dev.errors.length ? `; ${dev.errors.length} request errors` : ''}` : undefined),
  })

  if (withWorstCase) {
    const [isolate, isolateError] = await attempt(async () => {
      const probe = await IsolateCpuProbe.start(join(TMP, 'dist', 'index.js'), ASSETS, compatibilityDate())
      try {
        const worstCases = await measureWorstCases(probe, worstCaseQueries(corpus), WORST_CASE_RUNS, mixed.map((query) => queryPath(query)))
        // Ordinary queries, new to the isolate: per type, the same probe.
        const types = await measureQueryTypes(probe, generator.mixed(91).map((query) => ({ type: query.type, path: queryPath(query) })))
        return { ...worstCases, types, pinning: probe.pinning }
      } finally {
        await probe.stop()
      }
    })
    const refused = isolate?.cases.filter((w) => w.status !== 200) ?? []
    const worst = isolate?.cases.length ? isolate.cases.reduce((a, b) => ((b.warm?.main ?? Infinity) > (a.warm?.main ?? Infinity) ? b : a)) : undefined
    const coldest = isolate?.cases.length ? isolate.cases.reduce((a, b) => ((b.coldMs ?? Infinity) > (a.coldMs ?? Infinity) ? b : a)) : undefined
    if (isolate) {
      console.log(`\nworkerd main-thread CPU per request, ms, Miniflare (${isolate.pinning}), 91 new queries of each type after the worst cases:`)
      console.log(table(['type', 'n', 'p50', 'p99', 'max'], isolate.types.map((t) => [t.type, String(t.n), t.p50.toFixed(2), t.p99.toFixed(2), t.max.toFixed(2)])))
      console.log('')
    }
    for (const w of isolate?.cases ?? []) {
      console.log(
        `worst case, Miniflare, ${w.status}: median ${w.warm?.main.toFixed(2)} ms / largest ${w.warm?.mainMax.toFixed(2)} ms main thread, mean ${w.warm?.all.toFixed(2)} ms all threads; cold ${w.coldMs?.toFixed(1)} ms: ${w.label}`,
      )
    }
    checks.push({
      name: `worst-case request CPU, warm isolate: workerd main thread, median of ${WORST_CASE_RUNS} runs (/proc), the Worker alone in Miniflare`,
      value: worst && refused.length === 0 ? (worst.warm?.main ?? null) : null,
      limit: 10,
      show: (n) => `${n.toFixed(1)} ms`,
      note:
        isolateError ??
        (refused.length
          ? `not answered 200: ${refused.map((w) => `${w.status} ${w.label}`).join('; ')}`
          : worst
            ? `${worst.label}: ${worst.path}; ${isolate!.pinning}; all threads ${worst.warm?.all.toFixed(1)} ms; floor (a 404) ${isolate!.floor?.main.toFixed(2)} ms; first run, caches empty: at most ${coldest!.coldMs?.toFixed(1)} ms (${coldest!.label}; one run)`
            : 'not measured'),
    })
    // Upper bounds through wrangler dev: its proxy, asset and cache Workers share the process and the thread (docs/benchmarks.md).
    for (const w of dev?.worst ?? []) {
      console.log(`wrangler dev, ${w.label}: ${w.status}; profile first ${w.firstMs.toFixed(1)} / warm ${w.warmMs.toFixed(1)} ms, own JS+GC first ${w.firstJsMs.toFixed(1)} / warm ${w.warmJsMs.toFixed(1)} ms; workerd /proc ${w.processWarmMs?.toFixed(1) ?? 'n/a'} ms`)
    }
  }

  const rows = checks.map((c) => [
    c.value === null ? 'FAIL' : c.value <= c.limit ? 'ok' : 'FAIL',
    c.name,
    c.value === null ? 'not measured' : c.show(c.value),
    `≤ ${c.show(c.limit)}`,
    c.note ?? '',
  ])
  const failures = rows.filter((r) => r[0] === 'FAIL')
  console.log(table(['', 'check', 'figure', 'limit', 'note'], rows))
  if (failures.length > 0) {
    console.log(`\n${failures.length} of ${rows.length} limits failed:\n${table(['check', 'figure', 'limit'], failures.map((r) => [r[1]!, r[2]!, r[3]!]))}`)
    return 1
  }
  console.log(`\nall ${rows.length} limits pass`)
  return 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
