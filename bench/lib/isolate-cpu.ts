/**
 * The Worker's own CPU per request, as close to "in the isolate" as a local
 * run allows: the bundle that `wrangler deploy --dry-run` wrote, run by
 * Miniflare in a workerd process that holds nothing else of weight.
 *
 * Under `wrangler dev` the workerd process also runs the dev proxy, the asset
 * router and asset server Workers, and the Cache API emulation, and every
 * response passes through several of them; its CPU from /proc is an upper
 * bound several times the Worker's (a 100-hit answer costs about 16 ms there
 * with no search at all). Here:
 * - the `ASSETS` binding is a workerd disk service over the out dir (as in
 *   `npm run bench:gc`): workerd reads the files itself, on its main thread,
 *   so each read counts in the figures (on Cloudflare the asset service runs
 *   apart from the isolate: this overstates the Worker's share). Until
 *   2026-11-28 it was a Node function, which cost workerd an HTTP round trip
 *   over a socket per file.
 * - requests come in on a socket straight to the Worker
 *   (`unsafeDirectSockets`), not through Miniflare's entry Worker, which
 *   cost about 1.2 ms of CPU per request here;
 * - requests are sent as to `PROBE_HOST`, a `*.workers.dev` host (the free
 *   plan's), where Cloudflare ignores the Cache API and the Worker does not
 *   call it (`src/http/edge-cache.ts`); Miniflare's cache is off too
 *   (`cache: false`);
 * - what remains besides the Worker is workerd's HTTP handling, which
 *   {@link IsolateCpuProbe.floorMs} measures with a 404 (no index work).
 *
 * workerd is pinned to the last CPU and this Node process to the others
 * (`taskset`, when there are two CPUs or more): unpinned, the two migrate
 * between this machine's 2 vCPUs and the same request's CPU time jumped
 * between streaks of 6.5 and of 10–11 ms; pinned, its p10–p90 was 7.0–8.0 ms.
 * A Worker in production has a core of its own, not a benchmark client on it.
 *
 * The CPU is workerd's user + system time from /proc (10 ms ticks), so each
 * figure is a mean over many runs of the same work: that of its main thread,
 * where the isolates run (what a request is billed for), and that of the
 * whole process, with V8's background compiler and GC threads.
 *
 * @example
 * ```ts
 * const probe = await IsolateCpuProbe.start('.tmp/dist/index.js', 'generated/assets')
 * const ms = await probe.cpuPerRequest((i) => `/search?q=oil&snippetWords=${20 + i}`, 50)
 * await probe.stop()
 * ```
 */
import { execFileSync } from 'node:child_process'
import { Agent, get as httpGet } from 'node:http'
import { readFileSync, readdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { Miniflare } from 'miniflare'
import { compatibilityFlags, processStats } from './wrangler'
import { percentile } from './stats'

/**
 * CPU time (ms) of the workerd process that is a child of this Node process:
 * `main`, its main thread, where every isolate runs its JavaScript and its
 * requests, from `schedstat` (nanoseconds: one request can be measured on
 * its own); `all`, every thread, V8's background compiler and GC helpers
 * included, from `stat` (10 ms ticks: a mean over many requests only). Null
 * without /proc.
 */
function childWorkerdCpuMs(): { main: number; all: number } | null {
  const workerd = processStats()?.find((p) => p.comm === 'workerd' && p.ppid === process.pid)
  if (!workerd) return null
  try {
    return { main: mainThreadCpuMs(workerd.pid), all: workerd.cpuMs }
  } catch {
    return null
  }
}

/** Run time (ms, nanosecond resolution) of the main thread of process `pid`, from `schedstat`; throws without /proc. */
export function mainThreadCpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
}

/** CPU per request: workerd's main thread (median and largest of the runs), and the whole process (mean). */
export interface CpuPerRequest {
  main: number
  mainMax: number
  all: number
}

/**
 * Pins workerd (every thread) to the last CPU and this process to the others;
 * returns how, or why not. Undone by {@link unpin}.
 */
export function pin(workerdPid: number): string {
  // All the machine's CPUs, not availableParallelism(): that follows this process's affinity, which an earlier probe narrowed.
  const count = cpus().length
  if (count < 2) return 'not pinned: one CPU'
  const last = count - 1
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(last), String(workerdPid)], { stdio: 'ignore' })
    execFileSync('taskset', ['-a', '-c', '-p', `0-${last - 1}`, String(process.pid)], { stdio: 'ignore' })
    return `workerd pinned to CPU ${last}, the client to CPU 0${last > 1 ? `-${last - 1}` : ''}`
  } catch (error) {
    return `not pinned: taskset failed (${(error as Error).message.split('\n')[0]})`
  }
}

export function unpin(): void {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', `0-${cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' })
  } catch {
    // Nothing was pinned.
  }
}

/** The host the probe's requests are sent as: a `*.workers.dev` one, where the Worker skips the inert Cache API. */
export const PROBE_HOST = 'edge-article-search.probe.workers.dev'

/**
 * GET `origin` + `path` with `Host: PROBE_HOST`, the body read whole; resolves to the status. node:http, since
 * fetch() cannot set Host. `agent` keeps the connection open between requests, as fetch() did.
 */
export function getAsProbeHost(agent: Agent, origin: string, path: string): Promise<number> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    httpGet({ hostname, port, path, agent, headers: { host: PROBE_HOST } }, (response) => {
      response.on('error', reject)
      response.on('end', () => resolve(response.statusCode ?? 0))
      response.resume()
    }).on('error', reject)
  })
}

export class IsolateCpuProbe {
  /** How the processes were pinned to CPUs, for reports. */
  pinning = 'not pinned'

  private constructor(private readonly mf: Miniflare, private readonly origin: string) {}

  /**
   * Starts Miniflare over `bundle` (the ES module of a dry-run deploy) with
   * the artefacts of `assetsDir` behind `ASSETS`, and the vars of wrangler.toml
   * that the app reads.
   */
  static async start(bundle: string, assetsDir: string, compatibilityDate: string, inspectorPort?: number): Promise<IsolateCpuProbe> {
    const root = resolve(assetsDir)
    const mf = new Miniflare({
      // The dry run writes the script's Data modules (the embedded index files, src/search-index/embedded.ts) beside it.
      modulesRoot: dirname(resolve(bundle)),
      modules: [
        { type: 'ESModule', path: resolve(bundle) },
        ...readdirSync(dirname(resolve(bundle)))
          .filter((name) => name.endsWith('.bin'))
          .map((name) => ({ type: 'Data' as const, path: join(dirname(resolve(bundle)), name) })),
      ],
      compatibilityDate,
      compatibilityFlags: compatibilityFlags(),
      ...(inspectorPort ? { inspectorPort } : {}),
      bindings: { ALLOWED_ORIGINS: '*' },
      cache: false,
      // workerd serves the files itself, as bench:gc's disk service does: no round trip to Node per file.
      serviceBindings: { ASSETS: { disk: { path: root, writable: false } } },
      // A socket straight to the Worker: requests skip Miniflare's entry Worker (about 1.2 ms of CPU each here).
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    })
    await mf.ready
    const probe = new IsolateCpuProbe(mf, (await mf.unsafeGetDirectURL()).origin)
    const workerd = processStats()?.find((p) => p.comm === 'workerd' && p.ppid === process.pid)
    probe.pinning = workerd ? pin(workerd.pid) : 'not pinned: no workerd process found in /proc'
    return probe
  }

  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 })

  /** Status of one request (its body read whole), sent as to {@link PROBE_HOST}. */
  get(path: string): Promise<number> {
    return getAsProbeHost(this.agent, this.origin, path)
  }

  /**
   * Mean workerd CPU per request over `runs` requests, sent one at a time,
   * `pathOf(i)` for the i-th; null without /proc. Any status but 200 (or
   * `expected`) throws, so a refused request is never counted as a cheap one.
   */
  async cpuPerRequest(pathOf: (i: number) => string, runs: number, expected = 200): Promise<CpuPerRequest | null> {
    const first = childWorkerdCpuMs()
    const main: number[] = []
    let before = first
    for (let i = 0; i < runs; i++) {
      const status = await this.get(pathOf(i))
      if (status !== expected) throw new Error(`${status} for ${pathOf(i)}`)
      const after = childWorkerdCpuMs()
      if (before && after) main.push(after.main - before.main)
      before = after
    }
    if (!first || !before || main.length === 0) return null
    main.sort((a, b) => a - b)
    return { main: main[main.length >> 1]!, mainMax: main.at(-1)!, all: (before.all - first.all) / runs }
  }

  /** CPU of a request that does no index work (a 404), the part of every figure that is not the Worker's. */
  floorMs(runs: number): Promise<CpuPerRequest | null> {
    return this.cpuPerRequest((i) => `/no-such-route-${i}`, runs, 404)
  }

  async stop(): Promise<void> {
    this.agent.destroy()
    await this.mf.dispose()
    unpin()
  }
}

export interface IsolateWorstCase {
  label: string
  path: string
  /** Status of the first run (200 expected; a cap's 400 is reported, never counted as a pass). */
  status: number
  /** workerd main-thread CPU of the first run, the isolate's caches empty for its postings and fragments (one run, from schedstat). */
  coldMs: number | null
  /** workerd CPU per run over the measured warm runs (caches loaded, code optimised), floor included. */
  warm: CpuPerRequest | null
}

/**
 * Each worst-case request once cold, then `runs` times warm with a different
 * `snippetWords` each (the same work; the answers differ, so no cache of any
 * kind could serve them), through an {@link IsolateCpuProbe}.
 *
 * "Warm" is a busy isolate's state: the `warmup` requests (a mixed query
 * load) run first, and each case runs 10 times unmeasured before its `runs`
 * (V8 optimises a function after it has run a while; the first requests of an
 * isolate run slower code, about twice the CPU here).
 */
export async function measureWorstCases(
  probe: IsolateCpuProbe,
  cases: readonly { label: string; path: string }[],
  runs: number,
  warmup: readonly string[] = [],
): Promise<{ floor: CpuPerRequest | null; cases: IsolateWorstCase[] }> {
  await probe.get('/search?q=warm') // loads the index: not a worst case's cost
  for (const path of warmup) await probe.get(path)
  const floor = await probe.floorMs(runs)
  const out: IsolateWorstCase[] = []
  for (const { label, path } of cases) {
    const before = childWorkerdCpuMs()
    const status = await probe.get(path)
    const after = childWorkerdCpuMs()
    const coldMs = before === null || after === null ? null : after.main - before.main
    let warm: CpuPerRequest | null = null
    if (status === 200) {
      for (let i = 0; i < 10; i++) await probe.get(`${path}&snippetWords=${80 + i}`)
      warm = await probe.cpuPerRequest((i) => `${path}&snippetWords=${20 + (i % 60)}`, runs)
    }
    out.push({ label, path, status, coldMs, warm })
  }
  return { floor, cases: out }
}

/** Per-request CPU of one query type: median, 99th percentile and largest, ms. */
export interface TypeCpu {
  type: string
  n: number
  p50: number
  p99: number
  max: number
}

/**
 * The workerd main-thread CPU of each request of `queries`, sent once each in
 * order, summarised per type. Queries not seen before by the isolate (its
 * postings, positions and fragment caches may or may not hold what they
 * need, as in a busy isolate).
 */
export async function measureQueryTypes(probe: IsolateCpuProbe, queries: readonly { type: string; path: string }[]): Promise<TypeCpu[]> {
  const byType = new Map<string, number[]>()
  for (const { type, path } of queries) {
    const cpu = await probe.cpuPerRequest(() => path, 1)
    if (cpu) byType.set(type, [...(byType.get(type) ?? []), cpu.main])
  }
  return [...byType].map(([type, samples]) => ({ type, n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) }))
}
