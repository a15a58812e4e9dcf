/**
 * `npm run bench:gc`: the Worker in workerd itself, with no Miniflare and no dev
 * server in front, and V8's `--trace-gc`: each request's CPU and the garbage
 * collections behind the slow ones.
 *
 * It bundles the Worker (`wrangler deploy --dry-run`, the index's
 * `embedded.js` included), writes a workerd config beside it (`ASSETS` a disk
 * service over the out dir; the Cache API answering every lookup with a
 * miss, though the requests, sent as to a `*.workers.dev` host as the
 * isolate probe's are, never reach it: the Worker skips it there;
 * `v8Flags = ["--trace-gc"]`, which Miniflare cannot pass), starts `workerd serve` pinned to the last CPU (and this
 * process to the others, as the isolate probe does), sends one
 * warm-up set of the bench's mixed queries and of `/suggest` requests, then
 * measures two more sets, one request at a time, with 404s (the floor: no
 * index work) among them, and then `/suggest` and 404s each in a block of
 * their own (as a search box sends suggestions while someone types). A request's figure is the workerd main thread's run time
 * across it (`/proc/<pid>/task/<pid>/schedstat`). The GC lines are read from
 * workerd's output. Results are in docs/benchmarks.md.
 *
 * ```sh
 * npm run build && npm run bench:gc                 # the bundled data, 91 queries per type per set
 * npm run bench:gc -- --assets DIR --per-type 40   # another out dir (its corpus: --corpus PATH)
 * npm run bench:gc -- --v8-flag=--max-semi-space-size=1   # more V8 flags (here: a young generation capped at 1 MiB)
 * npm run bench:gc -- --rank-only                  # the engine's part alone: bench/rank-worker.ts, no /suggest
 * ```
 */
import { spawn } from 'node:child_process'
import { Agent } from 'node:http'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { readCorpus } from './lib/corpus'
import { QueryGenerator, queryPath } from './lib/queries'
import { getAsProbeHost, mainThreadCpuMs, pin, unpin } from './lib/isolate-cpu'
import { percentile } from './lib/stats'
import { bundleIn, compatibilityDate, compatibilityFlags, scriptSize, tempConfig } from './lib/wrangler'

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: 'generated/assets' },
    corpus: { type: 'string', default: 'data/' },
    'per-type': { type: 'string', default: '91' },
    port: { type: 'string', default: '8799' },
    tmp: { type: 'string', default: '.tmp/bench-gc' },
    // The Worker is bench/rank-worker.ts (the engine's part of a search and nothing else) instead of src/index.ts.
    'rank-only': { type: 'boolean', default: false },
    'v8-flag': { type: 'string', multiple: true, default: [] },
  },
})
const tmp = resolve(values.tmp)
const assets = resolve(values.assets)
const perType = Number(values['per-type'])
const origin = `http://127.0.0.1:${values.port}`

/** A workerd config (capnp text, written to `tmp`) for the bundle in `dist`: the Worker, ASSETS over `assets`, and a Cache API that always misses. */
function workerdConfig(dist: string): string {
  // workerd resolves `embed` paths from the config file's directory, and only downwards.
  const embed = (file: string) => `embed ${JSON.stringify(relative(tmp, file))}`
  const data = readdirSync(dist).filter((name) => name.endsWith('.bin'))
  const modules = [`(name = "index.js", esModule = ${embed(bundleIn(dist))})`, ...data.map((name) => `(name = ${JSON.stringify(name)}, data = ${embed(join(dist, name))})`)]
  const date = JSON.stringify(compatibilityDate())
  const flags = JSON.stringify(compatibilityFlags())
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .search),
    (name = "miss", worker = (modules = [(name = "miss.js", esModule = "export default { fetch: () => new Response(null, { status: 404 }) }")], compatibilityDate = ${date})),
    (name = "assets", disk = (path = ${JSON.stringify(assets)}, writable = false)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${values.port}", http = (), service = "main")],
  v8Flags = ${JSON.stringify(['--trace-gc', ...values['v8-flag']!])},
);
const search :Workerd.Worker = (
  modules = [${modules.join(', ')}],
  compatibilityDate = ${date},
  compatibilityFlags = ${flags},
  cacheApiOutbound = "miss",
  bindings = [(name = "ASSETS", service = "assets"), (name = "ALLOWED_ORIGINS", text = "*")],
);
`
}

interface Gc {
  kind: string
  ms: number
  line: string
}

/** `--trace-gc` lines: "[pid:isolate] 1234 ms: Scavenge 6.0 (8.0) -> 4.9 (8.4) MB, pooled: 0.0 MB, 5.22 / 0.00 ms …". */
function parseGc(output: string): Gc[] {
  return [...output.matchAll(/^\[[^\]]*\]\s+\d+ ms: ([A-Za-z-]+(?: \([a-z ]+\))?) .*?MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms.*$/gm)].map(([line, kind, ms]) => ({ kind: kind!, ms: Number(ms), line: line! }))
}


async function main() {
  mkdirSync(tmp, { recursive: true })
  const rankOnly = values['rank-only']!
  const config = tempConfig({ dir: tmp, name: 'gc', assets, main: rankOnly ? 'bench/rank-worker.ts' : undefined })
  const dist = join(tmp, 'dist')
  const size = scriptSize(config, dist)
  const capnp = join(tmp, 'workerd.capnp')
  writeFileSync(capnp, workerdConfig(dist))

  const workerd = spawn(resolve('node_modules/.bin/workerd'), ['serve', '--experimental', capnp], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  workerd.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  workerd.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  try {
    // The main thread, where the isolate runs, has the process's pid.
    const main = workerd.pid!
    let up = false
    for (let i = 0; i < 100 && !up; i++) {
      await sleep(100)
      up = await fetch(`${origin}/health`).then((response) => response.ok).catch(() => false)
    }
    if (!up || !readFileSync(`/proc/${main}/comm`, 'utf8').startsWith('workerd')) throw new Error(`workerd did not answer:\n${output.slice(-2000)}`)
    const pinning = pin(main) // once it runs, so that every thread it started is pinned
    const corpus = await readCorpus([values.corpus!])
    const generator = new QueryGenerator(corpus)
    // Sent as to a *.workers.dev host, as the isolate probe's are: there the Worker skips the Cache API, which Cloudflare ignores.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const get = async (path: string, expected = 200) => {
      const status = await getAsProbeHost(agent, origin, path)
      if (status !== expected) throw new Error(`${status} for ${path}`)
    }
    // As-you-type requests (issue 4: /suggest p99 under 1 ms): 2-4 letters of a word, or a word then 3 letters of another.
    const words = [...corpus.df.keys()].filter((word) => word.length >= 4).sort()
    const suggestions = (n: number) =>
      rankOnly ? [] : Array.from({ length: n }, (_, i) => {
        const word = words[Math.floor(((i * 7919) % n) * (words.length / n))]!
        return i % 2 === 0
          ? { type: '/suggest: 2-4 letters', path: `/suggest?q=${encodeURIComponent(word.slice(0, 2 + (i % 3)))}`, status: 200 }
          : { type: '/suggest: word + 3 letters', path: `/suggest?q=${encodeURIComponent(`${generator.next('one-word').q} ${word.slice(0, 3)}`)}`, status: 200 }
      })
    const searches = () => generator.mixed(perType).map((query) => ({ type: query.type, path: queryPath(query), status: 200 }))
    const FLOOR = '404 (floor)'
    const floor = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ type: FLOOR, path: `/no-such-route-${tag}-${i}`, status: 404 }))
    /** Each request's main-thread CPU in ms, sent one at a time, by type (in the order the types first come). */
    const measure = async (requests: readonly { type: string; path: string; status: number }[]) => {
      const byType = new Map<string, number[]>()
      for (const request of requests) {
        const before = mainThreadCpuMs(main)
        await get(request.path, request.status)
        const ms = mainThreadCpuMs(main) - before
        const samples = byType.get(request.type) ?? []
        if (samples.length === 0) byType.set(request.type, samples)
        samples.push(ms)
      }
      return byType
    }
    for (const request of [...searches(), ...suggestions(2 * perType)]) await get(request.path)
    // The measured sets: two of searches, suggestions and 404s (the floor: no index work), interleaved.
    const sets = [0, 1].map((set) => {
      const others = [...suggestions(2 * perType), ...floor(perType, String(set))]
      const mixed = searches()
      const step = mixed.length / others.length
      return mixed.flatMap((request, i) => [request, ...others.slice(Math.ceil(i / step), Math.ceil((i + 1) / step))])
    })
    const gcBefore = parseGc(output).length
    const byType = await measure(sets.flat())
    const all = [...byType].flatMap(([type, samples]) => (type === FLOOR || type.startsWith('/suggest') ? [] : samples))
    const gcs = parseGc(output).slice(gcBefore)
    // Then each cheap kind in a block of its own, as a search box sends them while someone types: no search's leftover
    // work (its Cache API put) lands in these, so they are the fair figures for /suggest and the floor.
    const blocks = await measure([...suggestions(4 * perType), ...floor(2 * perType, 'block')])
    const line = (label: string, samples: number[]) =>
      `| ${label} | ${samples.length} | ${percentile(samples, 50).toFixed(2)} | ${percentile(samples, 90).toFixed(2)} | ${percentile(samples, 99).toFixed(2)} | ${Math.max(...samples).toFixed(1)} | ${samples.filter((x) => x > 10).length} |`
    console.log(`# workerd alone${rankOnly ? ', the engine alone (bench/rank-worker.ts)' : ''}, V8 flags ${['--trace-gc', ...values['v8-flag']!].join(' ')} (${new Date().toISOString()}); script ${size.gzipKiB.toFixed(0)} KiB gzip; ${pinning}\n`)
    console.log('| queries | n | p50 ms | p90 ms | p99 ms | max ms | over 10 ms |\n|---|---|---|---|---|---|---|')
    console.log(line('all searches', all))
    for (const [type, samples] of byType) console.log(line(type, samples))
    console.log('\n| collection | count | total ms | longest ms |\n|---|---|---|---|')
    for (const kind of [...new Set(gcs.map((gc) => gc.kind))]) {
      const of = gcs.filter((gc) => gc.kind === kind)
      console.log(`| ${kind} | ${of.length} | ${of.reduce((sum, gc) => sum + gc.ms, 0).toFixed(1)} | ${Math.max(...of.map((gc) => gc.ms)).toFixed(2)} |`)
    }
    console.log('\n| in a block of their own | n | p50 ms | p90 ms | p99 ms | max ms | over 10 ms |\n|---|---|---|---|---|---|---|')
    for (const [type, samples] of blocks) console.log(line(type, samples))
    const total = [...byType.values()].flat().reduce((sum, ms) => sum + ms, 0)
    console.log(`\nGC: ${gcs.reduce((sum, gc) => sum + gc.ms, 0).toFixed(0)} ms of ${total.toFixed(0)} ms of main-thread CPU over ${sets.flat().length} requests. Longest:`)
    for (const gc of [...gcs].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`  ${gc.line.replace(/^\[[^\]]*\]\s+/, '')}`)
  } finally {
    workerd.kill()
    unpin()
  }
}

await main()
