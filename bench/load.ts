/**
 * `npm run load`: a load test of the real Worker under `wrangler dev` on
 * loopback, with a realistic query mix drawn from the corpus vocabulary with
 * a fixed seed (the benchmark's eight query types, in turn).
 *
 * - Default: 60 s at 32 connections. Prints throughput, p50, p99, p99.9,
 *   errors, timeouts and status classes; exits 1 on any error, timeout or 5xx.
 * - `--soak`: 10 minutes in rounds of 30 s, reading the Worker isolate's
 *   retained heap (inspector, after a full GC) after each round; exits 1 if
 *   it grows by more than 20% from the first round to the last. The workerd
 *   processes' resident memory is printed too, but not checked: it also holds
 *   the dev server's emulated Cache API store, which grows with every
 *   distinct answer it keeps.
 *
 * Only loopback is targeted. Run `npm run build` first (the bundled data).
 * The rate limiter of wrangler.toml is left out of the served config: one
 * client address would otherwise be throttled after 300 requests.
 *
 * @example
 * ```sh
 * npm run load                       # 60 s, 32 connections
 * npm run load -- --soak             # 10 min, memory checked every 30 s
 * npm run load -- --seconds 10 --connections 8
 * ```
 */
import autocannon from 'autocannon'
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Inspector } from './lib/inspector'
import { retainedHeap } from './lib/measure'
import { readCorpus } from './lib/corpus'
import { QUERY_TYPES, QueryGenerator, queryPath } from './lib/queries'
import { startDev, tempConfig } from './lib/wrangler'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    connections: { type: 'string', default: '32' },
    soak: { type: 'boolean', default: false },
    corpus: { type: 'string', default: 'data/reuters-21578/articles.jsonl' },
  },
})

/** Resident memory (KiB) of the workerd processes of a process group. */
function workerdRssKiB(processGroup: number): number {
  let total = 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (comm !== 'workerd' || Number(fields[2]) !== processGroup) continue
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      continue
    }
  }
  return total
}

async function run(url: string, paths: string[], seconds: number, connections: number) {
  let i = 0
  const samples: string[] = []
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request: any) => ({ ...request, path: paths[i++ % paths.length] }),
        onResponse: (status: number, body: string) => {
          if (status >= 400 && samples.length < 3) samples.push(`${status} ${body.slice(0, 200)}`)
        },
      },
    ],
  } as any)
  if (samples.length > 0) console.log(`first non-2xx answers:\n  ${samples.join('\n  ')}`)
  return result as any
}

async function main() {
  if (!existsSync('generated/assets/manifest.json')) throw new Error('no index: run npm run build first')
  const corpus = await readCorpus([values.corpus!])
  const generator = new QueryGenerator(corpus)
  // 20,000 queries: the soak's 10 minutes send about that many, so few answers come from the Cache API.
  const paths = Array.from({ length: 20_000 }, (_, i) => queryPath(generator.next(QUERY_TYPES[i % QUERY_TYPES.length]!)))
  const server = await startDev(tempConfig({ dir: mkdtempSync(join(tmpdir(), 'load-wrangler-')), name: 'load', assets: 'generated/assets' }))
  const group = server.process.pid!
  let inspector: Inspector | undefined
  try {
    await fetch(`${server.url}/search?q=warm`) // the first request loads the index
    inspector = await Inspector.connect(server.inspectorPort)
    for (const method of ['Debugger.disable', 'Network.disable']) await inspector.send(method).catch(() => undefined)
    const connections = Number(values.connections)
    const rounds = values.soak ? 20 : 1
    const seconds = values.soak ? 30 : Number(values.seconds)
    const heaps: number[] = []
    let failed = false
    console.log(`load: ${rounds} × ${seconds} s at ${connections} connections, ${paths.length} queries (seed 20261126) from ${values.corpus}, against ${server.url}`)
    console.log('round | req/s | p50 ms | p99 ms | p99.9 ms | max ms | requests | errors | timeouts | 2xx | 4xx | 5xx | isolate heap MB | workerd RSS MiB')
    for (let round = 1; round <= rounds; round++) {
      const r = await run(server.url, paths, seconds, connections)
      const rss = workerdRssKiB(group) / 1024
      const heap = (await retainedHeap(inspector, server)).usedBytes
      heaps.push(heap ?? Number.NaN)
      console.log(
        [round, r.requests.average, r.latency.p50, r.latency.p99, r.latency.p99_9, r.latency.max, r.requests.total, r.errors, r.timeouts, r['2xx'], r['4xx'], r['5xx'], heap === null ? 'n/a' : (heap / 1e6).toFixed(1), rss.toFixed(1)].join(' | '),
      )
      if (r.errors > 0 || r.timeouts > 0 || r['5xx'] > 0) failed = true
    }
    if (values.soak) {
      const growth = heaps.at(-1)! / heaps[0]!
      console.log(`isolate heap: ${(heaps[0]! / 1e6).toFixed(1)} MB after round 1, ${(heaps.at(-1)! / 1e6).toFixed(1)} MB after round ${rounds} (×${growth.toFixed(2)}; limit ×1.20)`)
      if (!(growth <= 1.2)) failed = true
    }
    console.log(failed ? 'FAIL: errors, timeouts, 5xx or memory growth' : 'OK: no errors, no timeouts, no 5xx')
    process.exitCode = failed ? 1 : 0
  } finally {
    inspector?.close()
    await server.stop()
  }
}

await main()
