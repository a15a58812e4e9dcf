/**
 * The measurements themselves, shared by bench/run.ts and bench/check-limits.ts.
 */
import autocannon from 'autocannon'
import { Inspector, profileSamples, type CpuProfile } from './inspector'
import { QUERY_TYPES, queryPath, type Query, type QueryType, type WorstCase } from './queries'
import { percentile } from './stats'
import { startDev, workerdCpuMs, type DevServer } from './wrangler'

export interface Latency {
  p50: number
  p99: number
  n: number
}

export interface HeapFigure {
  usedBytes: number | null
  note: string
}

export interface IsolateLatency extends Latency {
  /** Requests whose window held no non-idle sample at all (cheaper than one sampling interval). */
  zero: number
}

export interface LoadFigure {
  requestsPerSec: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  timeouts: number
  total: number
}

export interface DevFigures {
  readyAfterMs: number
  firstAnswerMs: number | null
  firstAnswerStatus: number | null
  heapAfterLoad: HeapFigure
  heapAfterQueries: HeapFigure
  mixedQueries: number
  http: Partial<Record<QueryType, Latency>>
  isolate: Partial<Record<QueryType, IsolateLatency>>
  isolateMethod: string
  /** Mean workerd CPU (user+system, /proc) per request of each type, without the profiler. */
  processCpuMean: Partial<Record<QueryType, number>>
  load: LoadFigure | null
  worst: WorstCaseFigure[]
  errors: string[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function get(url: string): Promise<number> {
  const response = await fetch(url)
  await response.arrayBuffer()
  return response.status
}

/**
 * Full GC, then `Runtime.getHeapUsage`. workerd runs the inspector's GC task
 * only when the isolate next wakes up, so a cheap request (a 404) is sent to
 * wake it; the figure is read after the GC has answered.
 */
/** The isolate's retained heap after a full GC (V8 heap + ArrayBuffers), through the inspector. */
export async function retainedHeap(inspector: Inspector | undefined, server: DevServer): Promise<HeapFigure> {
  if (!inspector) return { usedBytes: null, note: 'inspector unavailable' }
  try {
    let done = false
    const gc = inspector.send('HeapProfiler.collectGarbage').then(() => (done = true))
    for (let i = 0; i < 100 && !done; i++) {
      await sleep(100)
      await get(`${server.url}/__bench_wake_${i}`).catch(() => 0)
    }
    if (!done) return { usedBytes: null, note: 'HeapProfiler.collectGarbage did not answer' }
    await gc
    // usedSize alone leaves out ArrayBuffer backing stores, where the typed-array index lives.
    const usage = await inspector.send<{ usedSize: number; backingStorageSize?: number; embedderHeapUsedSize?: number }>('Runtime.getHeapUsage')
    const backing = usage.backingStorageSize ?? 0
    const embedder = usage.embedderHeapUsedSize ?? 0
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
    return {
      usedBytes: usage.usedSize + backing + embedder,
      note:
        `workerd inspector: HeapProfiler.collectGarbage, then Runtime.getHeapUsage usedSize ${mb(usage.usedSize)} + ` +
        `backingStorageSize (ArrayBuffers) ${usage.backingStorageSize === undefined ? 'n/a' : mb(backing)} + embedderHeapUsedSize ${mb(embedder)}`,
    }
  } catch (error) {
    return { usedBytes: null, note: `inspector error: ${(error as Error).message}` }
  }
}

export interface DevOptions {
  config: string
  /** One-word query used for the first answer. */
  first: Query
  /** Mixed queries sent before the second heap figure (and timed per type over HTTP). */
  mixed: Query[]
  /** Queries per type for the in-isolate CPU profile; 0 to skip. */
  profilePerType: number
  /** Hostile requests to profile in the isolate (bench/lib/queries.ts worstCaseQueries), each `worstRuns` times. */
  worst?: WorstCase[]
  worstRuns?: number
  /** autocannon duration in seconds; 0 to skip. */
  loadSeconds: number
  connections: number
  log: (line: string) => void
}

export async function measureDev(options: DevOptions): Promise<DevFigures> {
  const server = await startDev(options.config)
  const figures: DevFigures = {
    readyAfterMs: server.readyAfterMs,
    firstAnswerMs: null,
    firstAnswerStatus: null,
    heapAfterLoad: { usedBytes: null, note: 'not measured' },
    heapAfterQueries: { usedBytes: null, note: 'not measured' },
    mixedQueries: 0,
    http: {},
    isolate: {},
    isolateMethod: 'not measured',
    processCpuMean: {},
    load: null,
    worst: [],
    errors: [],
  }
  let inspector: Inspector | undefined
  try {
    // 1. First answer: from "Ready on" to the first 200 of /search (retrying a 503 while the index loads).
    const firstUrl = `${server.url}${queryPath(options.first)}`
    for (let attempt = 0; attempt < 50; attempt++) {
      const status = await get(firstUrl)
      figures.firstAnswerStatus = status
      if (status === 200) {
        figures.firstAnswerMs = performance.now() - server.readyAt
        break
      }
      await sleep(100)
    }
    options.log(`  first answer ${figures.firstAnswerStatus} after ${figures.firstAnswerMs?.toFixed(0)} ms from Ready`)

    // 2. Inspector. Wrangler's proxy enables Debugger and Network for each client; with them on, loading
    //    the index took 199 s instead of 11 s here, so they are switched off before anything is timed.
    try {
      inspector = await Inspector.connect(server.inspectorPort)
      for (const method of ['Debugger.disable', 'Network.disable']) await inspector.send(method).catch(() => undefined)
    } catch (error) {
      figures.errors.push(`inspector: ${(error as Error).message}`)
    }
    figures.heapAfterLoad = await retainedHeap(inspector, server)

    // 3. Mixed queries over HTTP, one at a time, timed per type.
    const byType = new Map<QueryType, number[]>()
    for (const query of options.mixed) {
      const started = performance.now()
      const status = await get(`${server.url}${queryPath(query)}`)
      const ms = performance.now() - started
      if (status !== 200) figures.errors.push(`${status} for ${queryPath(query)}`)
      else byType.set(query.type, [...(byType.get(query.type) ?? []), ms])
      figures.mixedQueries++
    }
    for (const [type, samples] of byType) figures.http[type] = { p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length }
    figures.heapAfterQueries = await retainedHeap(inspector, server)
    options.log(`  heap after load ${figures.heapAfterLoad.usedBytes}, after ${figures.mixedQueries} queries ${figures.heapAfterQueries.usedBytes}`)

    // 4. In the isolate: a CPU profile (100 µs sampling) around sequential requests of one type; the
    //    non-idle sample time inside each request's wall-clock window is that request's CPU time.
    if (inspector && options.profilePerType > 0) {
      try {
        figures.isolateMethod = await profileByType(inspector, server, options, figures)
      } catch (error) {
        figures.isolateMethod = `failed: ${(error as Error).message}`
      }
    }

    // 5. Worst cases, after the mixed queries (so the common chunks are warm, as in a busy isolate).
    if (inspector && options.worst?.length) {
      try {
        figures.worst = await profileWorstCases(inspector, server, options.worst, options.worstRuns ?? 5)
        for (const w of figures.worst) options.log(`  worst case ${w.status} first ${w.firstMs.toFixed(1)} / warm ${w.warmMs.toFixed(1)} / max ${w.maxMs.toFixed(1)} ms profile; own JS+GC first ${w.firstJsMs.toFixed(1)} / warm ${w.warmJsMs.toFixed(1)} ms; workerd ${w.processWarmMs?.toFixed(1)} ms/request (/proc): ${w.label}`)
      } catch (error) {
        figures.errors.push(`worst cases: ${(error as Error).message}`)
      }
    }

    // 6. Throughput.
    if (options.loadSeconds > 0) figures.load = await load(server, options)
  } finally {
    inspector?.close()
    await server.stop()
  }
  return figures
}

/**
 * CPU time per request inside the isolate: a CPU profile (100 µs sampling)
 * around the requests, sent one at a time; a request's figure is the non-idle
 * sample time inside its wall-clock window. Profiler.enable and the sampling
 * interval must be set by the caller.
 */
async function profileRequests(inspector: Inspector, server: DevServer, paths: string[]): Promise<{ perRequest: number[]; perRequestJs: number[]; statuses: number[]; nonIdleUs: number; inWindowsUs: number }> {
  const windows: [number, number][] = []
  const statuses: number[] = []
  await inspector.send('Profiler.start')
  await sleep(50)
  for (const path of paths) {
    const start = Number(process.hrtime.bigint() / 1000n)
    statuses.push(await get(`${server.url}${path}`))
    windows.push([start, Number(process.hrtime.bigint() / 1000n)])
    await sleep(5)
  }
  const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop')
  const samples = profileSamples(profile).filter((s) => !s.idle)
  const inWindow = (own: boolean) => windows.map(([a, b]) => {
    let us = 0
    for (const s of samples) if (s.time >= a && s.time <= b && !(own && s.program)) us += s.delta
    return us / 1000
  })
  const perRequest = inWindow(false)
  return { perRequest, perRequestJs: inWindow(true), statuses, nonIdleUs: samples.reduce((a, s) => a + s.delta, 0), inWindowsUs: perRequest.reduce((a, b) => a + b, 0) * 1000 }
}

export interface WorstCaseFigure {
  label: string
  path: string
  status: number
  /**
   * CPU of the first run: postings, positions and fragments not yet in the
   * isolate's caches. Under wrangler dev this also holds the asset server's
   * work, which runs on the same thread and shows in the profile as
   * "(program)" (about 0.6 ms a file here): an upper bound.
   */
  firstMs: number
  /** Median CPU of the runs after the first (the isolate's caches loaded, the Cache API bypassed). */
  warmMs: number
  maxMs: number
  /**
   * The isolate's own CPU: JS and GC samples only, without `(program)`
   * (see profileSamples). Median of the runs after the first, and the first.
   */
  warmJsMs: number
  firstJsMs: number
  /**
   * Mean CPU of the whole workerd process per warm run, from /proc (10 ms
   * ticks, over 10 runs without the profiler): an upper bound that holds
   * workerd's HTTP work and wrangler dev's proxy Workers, but no profiler
   * artefact. Null when /proc cannot be read.
   */
  processWarmMs: number | null
}

/** Each worst-case request `runs` times in a row, profiled in the isolate. */
async function profileWorstCases(inspector: Inspector, server: DevServer, cases: WorstCase[], runs: number): Promise<WorstCaseFigure[]> {
  await inspector.send('Profiler.enable')
  await inspector.send('Profiler.setSamplingInterval', { interval: 100 })
  const out: WorstCaseFigure[] = []
  for (const worst of cases) {
    // A different snippetWords per run (same work): /search answers are kept in the Cache API, which wrangler dev
    // emulates, and a repeated URL would be answered from it without running the search.
    const paths = Array.from({ length: runs }, (_, i) => `${worst.path}&snippetWords=${30 + i}`)
    const { perRequest, perRequestJs, statuses } = await profileRequests(inspector, server, paths)
    const warm = perRequest.slice(1)
    out.push({
      ...worst, status: statuses.find((s) => s !== 200) ?? 200, firstMs: perRequest[0]!, warmMs: percentile(warm, 50), maxMs: Math.max(...perRequest),
      firstJsMs: perRequestJs[0]!, warmJsMs: percentile(perRequestJs.slice(1), 50), processWarmMs: null,
    })
  }
  await inspector.send('Profiler.disable')
  // Cross-check without the profiler: workerd's CPU from /proc over 10 more warm runs of each (new URLs, same work).
  for (const figure of out) {
    const before = workerdCpuMs(server.process.pid!)
    for (let i = 0; i < 10; i++) await get(`${server.url}${figure.path}&snippetWords=${40 + i}`)
    const after = workerdCpuMs(server.process.pid!)
    figure.processWarmMs = before !== null && after !== null ? (after - before) / 10 : null
  }
  return out
}

async function profileByType(inspector: Inspector, server: DevServer, options: DevOptions, figures: DevFigures): Promise<string> {
  await inspector.send('Profiler.enable')
  await inspector.send('Profiler.setSamplingInterval', { interval: 100 })
  let inWindows = 0
  let nonIdleTotal = 0
  for (const type of QUERY_TYPES) {
    const queries = options.mixed.filter((q) => q.type === type).slice(0, options.profilePerType)
    if (queries.length === 0) continue
    // Cross-check without the profiler: CPU the workerd processes used for the batch, from /proc.
    const cpuBefore = workerdCpuMs(server.process.pid!)
    for (const query of queries) await get(`${server.url}${queryPath(query)}`)
    const cpuAfter = workerdCpuMs(server.process.pid!)
    if (cpuBefore !== null && cpuAfter !== null) figures.processCpuMean[type] = (cpuAfter - cpuBefore) / queries.length
    const { perRequest, nonIdleUs, inWindowsUs } = await profileRequests(inspector, server, queries.map((q) => queryPath(q)))
    nonIdleTotal += nonIdleUs
    inWindows += inWindowsUs
    figures.isolate[type] = { p50: percentile(perRequest, 50), p99: percentile(perRequest, 99), n: perRequest.length, zero: perRequest.filter((x) => x === 0).length }
  }
  await inspector.send('Profiler.disable')
  const share = nonIdleTotal > 0 ? inWindows / nonIdleTotal : 0
  return (
    `workerd inspector CPU profile (100 µs sampling), non-idle sample time inside each request's window ` +
    `(profile timestamps and Node's hrtime share CLOCK_MONOTONIC); ${(share * 100).toFixed(0)}% of all non-idle time fell inside windows`
  )
}

async function load(server: DevServer, options: DevOptions): Promise<LoadFigure> {
  const paths = options.mixed.map((q) => queryPath(q))
  let i = 0
  const result = await autocannon({
    url: server.url,
    connections: options.connections,
    duration: options.loadSeconds,
    requests: [{ method: 'GET', setupRequest: (request: any) => ({ ...request, path: paths[i++ % paths.length] }) }],
  } as any)
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    total: result.requests.total,
  }
}
