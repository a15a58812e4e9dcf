/**
 * The system under test: the project's own build over a collection, served by
 * the real Worker (`src/`, through `wrangler dev` and workerd), queried over
 * loopback. Nothing here reimplements matching or ranking, so the figures
 * follow whatever `src/` and `index-build/` do at the time of the run.
 */
import { SEARCH_LIMITS } from '../src/params'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startWranglerDev, withoutRateLimits, type DevServer } from '../tests/e2e/wrangler-dev'
import { laterPages } from '../tests/paging'

export const PROJECT_ROOT = resolve(new URL('..', import.meta.url).pathname)

/** Runs the project's build CLI (`index-build/cli.ts`, what `npm run build` runs) into `out`. */
export async function buildIndex(input: string, out: string, options: { map?: string; reference?: boolean } = {}): Promise<void> {
  const args = ['index-build/cli.ts', resolve(input), '--out', out, '--quiet']
  if (options.map) args.push('--map', options.map)
  // --reference also writes the MiniSearch JSON that eval/modes.ts reads; the Worker ignores it.
  if (options.reference) args.push('--reference')
  const child = spawn(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const code = await new Promise<number | null>((done) => child.once('exit', done))
  if (code !== 0) throw new Error(`index build of ${input} failed (exit ${code}):\n${stderr}`)
  const problems = stderr.trim().split('\n').filter(Boolean)
  if (problems.length > 0) console.error(`build of ${input}: ${problems.length} problem line(s), first: ${problems[0]}`)
}

/**
 * A copy of the project's wrangler.toml whose `main` is absolute and whose
 * `[assets] directory` is `assets`, written next to the artefacts.
 */
export async function writeConfig(assets: string, dir: string): Promise<string> {
  // Without the rate limit: every query comes from one address, several pages a query (withoutRateLimits).
  const source = withoutRateLimits(await readFile(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8'))
  let mainSet = false
  let directorySet = false
  const config = source
    .replace(/^(\s*main\s*=\s*)"([^"]+)"/m, (_, key: string, path: string) => {
      mainSet = true
      return `${key}${JSON.stringify(resolve(PROJECT_ROOT, path))}`
    })
    .replace(/^(\s*directory\s*=\s*)"([^"]+)"/m, (_, key: string) => {
      directorySet = true
      return `${key}${JSON.stringify(resolve(assets))}`
    })
  if (!mainSet || !directorySet) throw new Error('wrangler.toml has no main = "…" or [assets] directory = "…" line to point elsewhere')
  // The index files bundled into the script (src/search-index/embedded.ts) must be this build's, next to its artefacts:
  // the project's alias is relative to wrangler.toml (generated/assets), which this copy is not next to.
  let aliased = false
  const withAlias = config.replace(/^(\s*"embedded-index"\s*=\s*)"([^"]+)"/m, (_, key: string) => {
    aliased = true
    return `${key}${JSON.stringify(join(resolve(assets), 'embedded.js'))}`
  })
  if (!aliased && /embedded-index/.test(config)) throw new Error('wrangler.toml names "embedded-index" in a form this harness cannot point at the build')
  const path = join(dir, 'wrangler.eval.toml')
  await writeFile(path, withAlias)
  return path
}

export interface ServedIndex {
  server: DevServer
  /** The artefacts directory being served. */
  assets: string
  /** How often wrangler reloaded the Worker (src/ changed) since it started. */
  reloads: { count: number }
  /** Requests retried after a refused connection or a 5xx. */
  retries: { count: number }
  /**
   * `GET /search` with the given parameters; throws on a non-200 answer. A
   * `limit` over the API's page cap is fetched as consecutive pages of the
   * cap (as a client would page), joined.
   */
  search(params: Record<string, string>): Promise<SearchAnswer>
  topics(): Promise<{ topic: string; slug: string; count: number }[]>
  close(): Promise<void>
}

export interface SearchAnswer {
  total: number
  relaxed: boolean
  hits: { id: string; topics: string[]; score: number }[]
}

/**
 * Builds `input` into a fresh temporary directory and serves it with
 * `wrangler dev`; or serves an existing artefacts directory (`prebuilt`).
 */
export async function serveCollection(input: { jsonl: string; map?: string; reference?: boolean } | { prebuilt: string }): Promise<ServedIndex> {
  const dir = await mkdtemp(join(tmpdir(), 'eval-'))
  try {
    let assets: string
    if ('prebuilt' in input) assets = resolve(input.prebuilt)
    else {
      assets = join(dir, 'assets')
      const started = Date.now()
      await buildIndex(input.jsonl, assets, input)
      console.error(`built ${input.jsonl} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    }
    const config = await writeConfig(assets, dir)
    const server = await startWranglerDev({ config, timeoutMs: 120_000 })
    // wrangler dev watches src/ and reloads the Worker when it changes; a
    // reload during a run means the figures may mix two versions of the code.
    let log = ''
    const reloads = { count: 0 }
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString()
      log = (log + text).slice(-4000)
      reloads.count += (text.match(/Reloading local server|Detected changes/g) ?? []).length
    }
    server.process.stdout!.on('data', onOutput)
    server.process.stderr!.on('data', onOutput)
    const retries = { count: 0 }
    const get = async (path: string): Promise<any> => {
      for (let attempt = 1; ; attempt++) {
        let response: Response
        try {
          response = await fetch(`${server.url}${path}`)
        } catch (error) {
          // Connection refused or reset: the Worker is reloading or was restarted.
          if (attempt >= 8 || server.process.exitCode !== null) throw new Error(`GET ${path} failed after ${attempt} attempts: ${(error as Error).message}\nwrangler output:\n${log}`)
          retries.count++
          await new Promise((done) => setTimeout(done, 1000 * attempt))
          continue
        }
        const text = await response.text()
        if (response.status === 200) return JSON.parse(text)
        if (response.status >= 500 && attempt < 8) {
          retries.count++
          await new Promise((done) => setTimeout(done, 1000 * attempt))
          continue
        }
        throw new Error(`GET ${path} → ${response.status}: ${text.slice(0, 300)}\nwrangler output:\n${log}`)
      }
    }
    // The first request loads the index; make it alone.
    await get('/health')
    return {
      server,
      assets,
      reloads,
      retries,
      search: async (params) => {
        const limit = Number(params.limit ?? SEARCH_LIMITS.defaultLimit)
        const offset = Number(params.offset ?? 0)
        const page = (from: number, size: number): Promise<SearchAnswer> =>
          get(`/search?${new URLSearchParams({ ...params, limit: String(size), offset: String(from) })}`)
        const first = await page(offset, Math.min(limit, SEARCH_LIMITS.maxLimit))
        const hits = [...first.hits]
        for (const [from, size] of laterPages(offset, limit, first.total)) hits.push(...(await page(from, size)).hits)
        return { ...first, hits }
      },
      topics: async () => (await get('/topics')).topics,
      async close() {
        await server.stop()
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

/** Runs `task` over `items` with at most `width` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], width: number, task: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return results
}
