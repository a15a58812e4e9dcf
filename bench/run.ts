/**
 * `npm run bench`: builds each corpus with the project's build CLI, serves it
 * with the real `wrangler dev`, and prints one table per corpus: the project's
 * Worker, the MiniSearch reference Worker (bench/reference-worker.ts) measured
 * in the same run, and the ratio.
 *
 * ```sh
 * npm run bench                                            # 21.6k bundled (data/)
 * npm run bench -- --bbc ../shared/corpora/bbc-news/articles.jsonl
 * npm run bench -- --skip-bundled --synthetic 200000 \
 *   --from ../shared/corpora/reuters-21578/articles.jsonl --from ../shared/corpora/bbc-news/articles.jsonl
 * ```
 *
 * Results are also written as JSON to `<tmp>/results-<time>.json`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, freemem, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { readCorpus } from './lib/corpus'
import { measureDev, type DevFigures, type WorstCaseFigure } from './lib/measure'
import { QUERY_TYPES, QueryGenerator, queryPath, worstCaseQueries, type Query, type WorstCase } from './lib/queries'
import { fmtBytes, fmtMs, ratio, table } from './lib/stats'
import { buildCorpus, configs } from './lib/target'
import { assetsStats, bundleIn, compatibilityDate, scriptSize, startupCpu, type AssetsStats, type ScriptSize, type StartupCpu } from './lib/wrangler'
import { IsolateCpuProbe, measureQueryTypes, type CpuPerRequest, type TypeCpu } from './lib/isolate-cpu'
import { generateSynthetic } from './synthetic'

const USAGE = `usage: npm run bench -- [options]
  --bbc PATH            also run the BBC corpus (2k BBC, real)
  --skip-bundled        do not run the bundled data/ (21.6k bundled, real)
  --synthetic N         also run an N-article synthetic corpus (repeatable; needs --from)
  --from PATH           source JSONL for --synthetic (repeatable)
  --queries N           mixed queries per type over HTTP (default 91: 11 types = 1,001)
  --profile-queries N   queries per type inside the CPU profile (default 40)
  --duration S          autocannon seconds (default 10; 0 to skip)
  --connections N       autocannon connections (default 16)
  --skip-reference      do not measure the MiniSearch reference
  --build-timeout MIN   give up on a build after MIN minutes (default 30)
  --reuse-builds        keep a corpus's earlier build in the scratch dir (<tmp>/<corpus>/out) instead of rebuilding
  --tmp DIR             scratch dir (default .tmp/bench; git-ignored)`

interface Side {
  script: ScriptSize | null
  startup: StartupCpu | null
  assets: AssetsStats | null
  dev: DevFigures | null
  /** Per-request CPU in the isolate probe (Miniflare, no dev server): the floor (a 404) and each query type. */
  probe: IsolateFigures | null
  /** The same probe over bench/rank-worker.ts: the engine's part of each query alone (ours only). */
  engineProbe: IsolateFigures | null
  errors: string[]
}

interface IsolateFigures {
  floor: CpuPerRequest | null
  /** Each type over the first queries of a new isolate: V8 has not yet compiled the code they run, nor seen its types. */
  newIsolate: TypeCpu[]
  /** Each type over the queries that come next, as in an isolate that has been answering a while (the figure the targets are for). */
  types: TypeCpu[]
  pinning: string
}

const emptySide = (): Side => ({ script: null, startup: null, assets: null, dev: null, probe: null, engineProbe: null, errors: [] })

interface CorpusResult {
  label: string
  paths: string[]
  buildMs: number
  buildOk: boolean
  buildOutput: string
  referenceSource: string
  queriesSample: Record<string, string[]>
  ours: Side
  reference: Side | null
}

const log = (line: string) => console.error(line)

/**
 * Sets of mixed queries (`--queries` of each type) that the isolate probe measures after the new isolate's first set.
 * A p99 needs more than 100 samples a type to be anything but the largest; with 91 a set, four give 364 a type, whose
 * p99 (the 4th largest) two mark-compacts landing on one type no longer set.
 */
const STEADY_SETS = 4

/**
 * The isolate probe over the dry-run bundle in `dist`: the floor (a 404) and each query type, after `first`, which
 * loads the index (not a query type's cost). `mixed` (the HTTP rows' queries) are the first queries of the new
 * isolate; `steady` come next, new to it too.
 */
async function probeIsolate(dist: string, assetsDir: string, first: Query, mixed: readonly Query[], steady: readonly Query[]): Promise<IsolateFigures> {
  const probe = await IsolateCpuProbe.start(bundleIn(dist), assetsDir, compatibilityDate())
  const typed = (queries: readonly Query[]) => queries.map((query) => ({ type: query.type, path: queryPath(query) }))
  try {
    await probe.get(queryPath(first))
    const newIsolate = await measureQueryTypes(probe, typed(mixed))
    const types = await measureQueryTypes(probe, typed(steady))
    const floor = await probe.floorMs(100)
    return { floor, newIsolate, types, pinning: probe.pinning }
  } finally {
    await probe.stop()
  }
}

async function measureSide(
  config: string,
  assetsDir: string,
  dir: string,
  name: string,
  gen: () => QueryGenerator,
  worst: WorstCase[],
  options: Options,
  engineConfig?: string,
): Promise<Side> {
  const side = emptySide()
  const attempt = async <T>(what: string, f: () => T | Promise<T>): Promise<T | null> => {
    try {
      return await f()
    } catch (error) {
      side.errors.push(`${what}: ${(error as Error).message.slice(0, 2000)}`)
      log(`  ${name} ${what} FAILED: ${(error as Error).message.slice(0, 500)}`)
      return null
    }
  }
  side.assets = assetsStats(assetsDir)
  side.script = await attempt('deploy --dry-run', () => scriptSize(config, join(dir, `dist-${name}`)))
  side.startup = await attempt('check startup', () => startupCpu(config, join(dir, `${name}.cpuprofile`)))
  log(`  ${name}: script ${JSON.stringify(side.script)} startup ${JSON.stringify(side.startup)}`)
  const g = gen()
  const first = g.next('one-word')
  const mixed = g.mixed(options.queries)
  const steady = Array.from({ length: STEADY_SETS }, () => g.mixed(options.queries)).flat()
  if (side.script) {
    // The dry-run bundle in the isolate probe, first with the mixed queries of the HTTP rows, and no dev server around it.
    side.probe = await attempt('isolate probe', () => probeIsolate(join(dir, `dist-${name}`), assetsDir, first, mixed, steady))
  }
  if (engineConfig) {
    const dist = join(dir, `dist-${name}-engine`)
    side.engineProbe = await attempt('engine probe', () => {
      scriptSize(engineConfig, dist)
      return probeIsolate(dist, assetsDir, first, mixed, steady)
    })
  }
  side.dev = await attempt('wrangler dev', () =>
    measureDev({ config, first, mixed, profilePerType: options.profileQueries, worst, worstRuns: 5, loadSeconds: options.duration, connections: options.connections, log }),
  )
  return side
}

interface Options {
  queries: number
  profileQueries: number
  duration: number
  connections: number
  skipReference: boolean
  buildTimeoutMs: number
  reuseBuilds: boolean
  tmp: string
}

async function runCorpus(label: string, paths: string[], options: Options): Promise<CorpusResult> {
  const dir = resolve(options.tmp, label.replace(/[^a-z0-9]+/gi, '-').toLowerCase())
  mkdirSync(dir, { recursive: true })
  log(`\n== ${label}: building ${paths.join(' ')}`)
  const built = buildCorpus(paths, dir, options.buildTimeoutMs, options.reuseBuilds)
  log(`  build ${built.ok ? 'ok' : 'FAILED'} in ${(built.buildMs / 1000).toFixed(1)} s; reference: ${built.referenceSource}`)
  const result: CorpusResult = {
    label,
    paths,
    buildMs: built.buildMs,
    buildOk: built.ok,
    buildOutput: built.output.slice(-4000),
    referenceSource: built.referenceSource,
    queriesSample: {},
    ours: emptySide(),
    reference: null,
  }
  if (!built.ok) {
    result.ours.errors.push(`build failed: ${built.output.slice(-2000)}`)
    return result
  }
  const corpus = await readCorpus(paths)
  const gen = () => new QueryGenerator(corpus)
  const sample = gen()
  for (const type of QUERY_TYPES) result.queriesSample[type] = Array.from({ length: 3 }, () => {
    const q = sample.next(type)
    return q.topic === undefined ? q.q : `${q.q} [topic=${q.topic}]`
  })
  const cfg = configs(dir, built, label)
  const worst = worstCaseQueries(corpus)
  result.ours = await measureSide(cfg.ours, built.out, dir, 'ours', gen, worst, options, cfg.engine)
  if (!options.skipReference && cfg.reference && built.referenceAssets) {
    result.reference = await measureSide(cfg.reference, built.referenceAssets, dir, 'reference', gen, worst, options)
  }
  return result
}

function kib(k: number | undefined): string {
  return k === undefined ? 'n/a' : `${k.toFixed(2)} KiB`
}

export function formatCorpus(r: CorpusResult): string {
  const o = r.ours
  const f = r.reference
  const rows: string[][] = []
  const row = (metric: string, ours: number | null | undefined, ref: number | null | undefined, fmt: (n: number) => string) =>
    rows.push([metric, ours == null ? 'n/a' : fmt(ours), ref == null ? 'n/a' : fmt(ref), ratio(ours, ref)])
  /** A p50 / p99 row: ours, the reference's, and both ratios. */
  const percentiles = (metric: string, ours: { p50: number; p99: number } | undefined, ref: { p50: number; p99: number } | undefined) => {
    const show = (x: { p50: number; p99: number } | undefined) => (x ? `${fmtMs(x.p50)} / ${fmtMs(x.p99)} ms` : 'n/a')
    rows.push([metric, show(ours), show(ref), ours && ref ? `${ratio(ours.p50, ref.p50)} / ${ratio(ours.p99, ref.p99)}` : 'n/a'])
  }
  row('build time (project CLI; n/a when --reuse-builds kept it)', Number.isNaN(r.buildMs) ? null : r.buildMs, null, (n) => `${(n / 1000).toFixed(1)} s`)
  row('script raw (dry-run)', o.script?.rawKiB, f?.script?.rawKiB, kib)
  row('script gzip (dry-run)', o.script?.gzipKiB, f?.script?.gzipKiB, kib)
  row('static assets total', o.assets?.totalBytes, f?.assets?.totalBytes, fmtBytes)
  rows.push(['static assets files / largest', o.assets ? `${o.assets.files} / ${o.assets.largest.name} ${fmtBytes(o.assets.largest.bytes)}` : 'n/a', f?.assets ? `${f.assets.files} / ${f.assets.largest.name} ${fmtBytes(f.assets.largest.bytes)}` : 'n/a', ''])
  row('startup CPU, non-idle (check startup)', o.startup?.nonIdleMs, f?.startup?.nonIdleMs, (n) => `${n.toFixed(1)} ms`)
  row('startup profile span', o.startup?.spanMs, f?.startup?.spanMs, (n) => `${n.toFixed(1)} ms`)
  row('Ready → first /search 200', o.dev?.firstAnswerMs, f?.dev?.firstAnswerMs, (n) => `${fmtMs(n)} ms`)
  row('isolate heap after load (GC)', o.dev?.heapAfterLoad.usedBytes, f?.dev?.heapAfterLoad.usedBytes, fmtBytes)
  row(`isolate heap after ${o.dev?.mixedQueries ?? 0} mixed queries (GC)`, o.dev?.heapAfterQueries.usedBytes, f?.dev?.heapAfterQueries.usedBytes, fmtBytes)
  for (const type of QUERY_TYPES) percentiles(`HTTP ${type} p50 / p99`, o.dev?.http[type], f?.dev?.http[type])
  row('isolate probe floor: a 404, median (main thread)', o.probe?.floor?.main, f?.probe?.floor?.main, (n) => `${n.toFixed(2)} ms`)
  const ofType = (figures: readonly TypeCpu[] | undefined, type: string) => figures?.find((t) => t.type === type)
  for (const type of QUERY_TYPES) percentiles(`isolate probe CPU ${type} p50 / p99`, ofType(o.probe?.types, type), ofType(f?.probe?.types, type))
  for (const type of QUERY_TYPES) {
    percentiles(`  the same, first queries of a new isolate: ${type}`, ofType(o.probe?.newIsolate, type), ofType(f?.probe?.newIsolate, type))
  }
  row('engine alone (bench/rank-worker.ts): floor, a 404', o.engineProbe?.floor?.main, f?.probe?.floor?.main, (n) => `${n.toFixed(2)} ms`)
  for (const type of QUERY_TYPES) percentiles(`engine alone CPU ${type} p50 / p99`, ofType(o.engineProbe?.types, type), ofType(f?.probe?.types, type))
  for (const type of QUERY_TYPES) percentiles(`wrangler dev profile CPU ${type} p50 / p99 (upper bound)`, o.dev?.isolate[type], f?.dev?.isolate[type])
  for (const type of QUERY_TYPES) {
    row(`workerd CPU/request ${type} (mean, /proc)`, o.dev?.processCpuMean[type], f?.dev?.processCpuMean[type], (n) => `${n.toFixed(2)} ms`)
  }
  const l = o.dev?.load
  const m = f?.dev?.load
  row(`throughput c=${16} (autocannon) req/s`, l?.requestsPerSec, m?.requestsPerSec, (n) => n.toFixed(0))
  rows.push(['  latency p50 / p99 under load', l ? `${l.p50} / ${l.p99} ms` : 'n/a', m ? `${m.p50} / ${m.p99} ms` : 'n/a', l && m ? `${ratio(l.p50, m.p50)} / ${ratio(l.p99, m.p99)}` : 'n/a'])
  rows.push(['  errors / timeouts / non-2xx', l ? `${l.errors} / ${l.timeouts} / ${l.non2xx}` : 'n/a', m ? `${m.errors} / ${m.timeouts} / ${m.non2xx}` : 'n/a', ''])
  const notes = [
    `reference: MiniSearch (${r.referenceSource}) in bench/reference-worker.ts`,
    `heap: ${o.dev?.heapAfterLoad.note ?? 'n/a'}`,
    `isolate probe CPU: workerd main-thread CPU per request (/proc schedstat) of the dry-run bundle in Miniflare, ASSETS a workerd disk service, requests on a socket straight to the Worker, sent as to a *.workers.dev host (bench/lib/isolate-cpu.ts; ${o.probe?.pinning ?? 'n/a'}); index loaded first; the floor (median of 100 404s) is included in every figure. "first queries of a new isolate": the HTTP rows' queries, ${o.probe?.newIsolate[0]?.n ?? 0} of each type, the isolate's first (its p99 is their largest); then the p50 / p99 rows: ${o.probe?.types[0]?.n ?? 0} more of each type, new to the isolate too (p99 by nearest rank: the ${o.probe?.types[0] ? ordinal(o.probe.types[0].n - Math.ceil(0.99 * o.probe.types[0].n) + 1) : 'n/a'} largest)`,
    `wrangler dev profile CPU: ${o.dev?.isolateMethod ?? 'n/a'}${f?.dev ? ` | reference: ${f.dev.isolateMethod}` : ''}`,
    ...o.errors.map((e) => `ours error: ${e.split('\n')[0]}`),
    ...(f?.errors ?? []).map((e) => `reference error: ${e.split('\n')[0]}`),
    ...(o.dev?.errors ?? []).slice(0, 5).map((e) => `ours: ${e}`),
    ...(f?.dev?.errors ?? []).slice(0, 5).map((e) => `reference: ${e}`),
  ]
  return `### ${r.label}\n\n${table(['metric', 'ours', 'reference (MiniSearch)', 'ours/ref'], rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n${formatWorst(r)}`
}

/** 1st, 2nd, 3rd, 4th… */
function ordinal(n: number): string {
  return `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`
}

/** The hostile requests of worstCaseQueries: isolate CPU of the first run, median of the next 4, and the most of any run. */
function formatWorst(r: CorpusResult): string {
  const ours = r.ours.dev?.worst ?? []
  if (ours.length === 0) return ''
  const cpu = (w: WorstCaseFigure | undefined) =>
    w ? `${w.status} · ${fmtMs(w.firstMs)} / ${fmtMs(w.warmMs)} / ${fmtMs(w.maxMs)} · ${w.processWarmMs === null ? 'n/a' : fmtMs(w.processWarmMs)}` : 'n/a'
  const rows = ours.map((w) => [w.label, cpu(w), cpu(r.reference?.dev?.worst.find((x) => x.path === w.path)), ratio(w.maxMs, r.reference?.dev?.worst.find((x) => x.path === w.path)?.maxMs)])
  const worst = ours.reduce((a, b) => (b.maxMs > a.maxMs ? b : a))
  return (
    `\n#### ${r.label}: worst-case requests (CPU ms: status · profile first run / median of next 4 / max · workerd process per warm request, /proc)\n\n` +
    `${table(['request', 'ours', 'reference (MiniSearch)', 'max ours/ref'], rows)}\n\n` +
    `- worst found: ${worst.label}, ${fmtMs(worst.maxMs)} ms CPU (limit 10 ms): \`${worst.path}\`\n`
  )
}

async function main() {
  const { values } = parseArgs({
    options: {
      bbc: { type: 'string' },
      'skip-bundled': { type: 'boolean', default: false },
      synthetic: { type: 'string', multiple: true },
      from: { type: 'string', multiple: true },
      queries: { type: 'string', default: '91' },
      'profile-queries': { type: 'string', default: '40' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      'skip-reference': { type: 'boolean', default: false },
      'build-timeout': { type: 'string', default: '30' },
      'reuse-builds': { type: 'boolean', default: false },
      tmp: { type: 'string', default: '.tmp/bench' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return void console.log(USAGE)
  const options: Options = {
    queries: Number(values.queries),
    profileQueries: Number(values['profile-queries']),
    duration: Number(values.duration),
    connections: Number(values.connections),
    skipReference: values['skip-reference']!,
    buildTimeoutMs: Number(values['build-timeout']) * 60_000,
    reuseBuilds: values['reuse-builds'],
    tmp: resolve(values.tmp!),
  }
  const corpora: [string, string[]][] = []
  if (values.bbc) corpora.push(['2k BBC (real)', [resolve(values.bbc)]])
  if (!values['skip-bundled']) corpora.push(['21.6k bundled (real)', ['data/']])
  for (const count of values.synthetic ?? []) {
    if (!values.from?.length) throw new Error('--synthetic needs --from PATH (JSONL corpora to recombine)')
    const n = Number(count)
    const path = join(options.tmp, `synthetic-${n}.jsonl`)
    if (!existsSync(path)) {
      log(`generating ${n} synthetic articles into ${path}`)
      await generateSynthetic({ count: n, from: values.from.map((p) => resolve(p)), out: path })
    }
    corpora.push([`${n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`} synthetic`, [path]])
  }
  const header = [
    `# bench ${new Date().toISOString()}`,
    `machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB (free ${(freemem() / 2 ** 30).toFixed(1)}), node ${process.version}`,
    `load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  ]
  console.log(header.join('\n'))
  const results: CorpusResult[] = []
  for (const [label, paths] of corpora) {
    const result = await runCorpus(label, paths, options)
    results.push(result)
    console.log(`\n${formatCorpus(result)}`)
    console.log(`load average now: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  }
  const file = join(options.tmp, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ header, results }, null, 2))
  log(`\nresults: ${file}`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
