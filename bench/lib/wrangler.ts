/**
 * Wrangler as the benchmark drives it: a temporary config per run, the
 * dry-run deploy (script size), `wrangler check startup` (startup CPU) and
 * `wrangler dev` with the inspector on a known port.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { startWranglerDev, withoutRateLimits, type DevServer } from '../../tests/e2e/wrangler-dev'
import { profileCpu, type CpuProfile } from './inspector'

export const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
  CI: '1',
}

const WRANGLER = resolve('node_modules/.bin/wrangler')

/**
 * Writes a copy of wrangler.toml with `main`, `[assets] directory` and the
 * `embedded-index` alias replaced (all absolute), so the project's own settings (compatibility date, vars,
 * run_worker_first) apply to the run.
 *
 * The `[[ratelimits]]` block is dropped: every benchmark request comes from one
 * loopback address, and `wrangler dev` does enforce the limit, so with it the
 * figures would measure the limiter's 429s instead of the search.
 */
export function tempConfig(options: { dir: string; name: string; assets: string; main?: string }): string {
  let toml = withoutRateLimits(readFileSync('wrangler.toml', 'utf8'))
  const main = resolve(options.main ?? /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? 'src/index.ts')
  toml = toml.replace(/^main\s*=.*$/m, `main = ${JSON.stringify(main)}`)
  toml = toml.replace(/^name\s*=.*$/m, `name = ${JSON.stringify(options.name)}`)
  if (!/^directory\s*=/m.test(toml)) throw new Error('wrangler.toml has no [assets] directory')
  toml = toml.replace(/^directory\s*=.*$/m, `directory = ${JSON.stringify(resolve(options.assets))}`)
  // The script embeds the files of the same build as the assets (src/search-index/embedded.ts).
  toml = withEmbeddedAlias(toml, options.assets)
  mkdirSync(options.dir, { recursive: true })
  const path = join(options.dir, `wrangler.${options.name}.toml`)
  writeFileSync(path, toml)
  return path
}

/** wrangler.toml's `compatibility_date`, for runtimes started without wrangler (Miniflare, `bench/lib/isolate-cpu.ts`). */
export function compatibilityDate(): string {
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync('wrangler.toml', 'utf8'))?.[1]
  if (!date) throw new Error('wrangler.toml has no compatibility_date')
  return date
}

/** wrangler.toml's `compatibility_flags` (none when it has none), for the same runtimes. */
export function compatibilityFlags(): string[] {
  const list = /^compatibility_flags\s*=\s*(\[[^\]]*\])/m.exec(readFileSync('wrangler.toml', 'utf8'))?.[1]
  return list ? (JSON.parse(list) as string[]) : []
}

/** The ES module that `wrangler deploy --dry-run --outdir` wrote to `outdir` (named after `main`). */
export function bundleIn(outdir: string): string {
  const modules = readdirSync(outdir).filter((name) => name.endsWith('.js'))
  if (modules.length !== 1) throw new Error(`expected one .js bundle in ${outdir}, found ${modules.length}`)
  return join(outdir, modules[0]!)
}

/**
 * `toml` with its `embedded-index` alias pointed at `<indexDir>/embedded.js`
 * (absolute): the out dir of a build, or a shard's directory in it.
 */
export function withEmbeddedAlias(toml: string, indexDir: string): string {
  if (!/^"embedded-index"\s*=/m.test(toml)) throw new Error('the wrangler config has no "embedded-index" alias')
  return toml.replace(/^"embedded-index"\s*=.*$/m, `"embedded-index" = ${JSON.stringify(join(resolve(indexDir), 'embedded.js'))}`)
}

function run(args: string[], timeoutMs = 300_000): { code: number | null; output: string } {
  const result = spawnSync(WRANGLER, args, { env: WRANGLER_ENV, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 })
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` }
}

export interface ScriptSize {
  rawKiB: number
  gzipKiB: number
}

/** `wrangler deploy --dry-run`: "Total Upload: X KiB / gzip: Y KiB". */
export function scriptSize(config: string, outdir: string): ScriptSize {
  const { code, output } = run(['deploy', '--dry-run', '--outdir', outdir, '--config', config])
  const match = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output)
  if (code !== 0 || !match) throw new Error(`wrangler deploy --dry-run failed (${code}):\n${output}`)
  return { rawKiB: Number(match[1]), gzipKiB: Number(match[2]) }
}

export interface StartupCpu {
  nonIdleMs: number
  spanMs: number
  samples: number
}

/**
 * `wrangler check startup`: non-idle sample time of the startup cpuprofile
 * (`(idle)` excluded) and its span. `check startup` builds with the cwd's
 * wrangler.toml whatever `--config` says, so the bundle is built first with
 * the temporary config (`deploy --dry-run --outfile`) and passed as `--worker`.
 */
export function startupCpu(config: string, outfile: string): StartupCpu {
  const bundle = outfile.replace(/\.cpuprofile$/, '') + '.bundle'
  const built = run(['deploy', '--dry-run', '--outfile', bundle, '--config', config])
  if (built.code !== 0) throw new Error(`wrangler deploy --dry-run --outfile failed (${built.code}):\n${built.output}`)
  const { code, output } = run(['check', 'startup', '--worker', bundle, '--outfile', outfile, '--config', config])
  if (code !== 0) throw new Error(`wrangler check startup failed (${code}):\n${output}`)
  return profileCpu(JSON.parse(readFileSync(outfile, 'utf8')) as CpuProfile)
}

/**
 * CPU time (user + system, ms) consumed so far by the workerd processes of a
 * `wrangler dev` process group, from /proc (Linux; 10 ms ticks). Null elsewhere.
 */
export function workerdCpuMs(processGroup: number): number | null {
  const workerd = processStats()?.filter((p) => p.comm === 'workerd' && p.pgrp === processGroup)
  return workerd?.length ? workerd.reduce((sum, p) => sum + p.cpuMs, 0) : null
}

/** One process of /proc/<pid>/stat: its name, parent, group and CPU time (user + system, ms; 10 ms ticks). */
export interface ProcessStat {
  pid: number
  comm: string
  ppid: number
  pgrp: number
  cpuMs: number
}

/** Every process in /proc (Linux); null elsewhere. */
export function processStats(): ProcessStat[] | null {
  const out: ProcessStat[] = []
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.push({
        pid: Number(pid),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        ppid: Number(fields[1]),
        pgrp: Number(fields[2]),
        cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
      })
    }
  } catch {
    return null
  }
  return out
}

export interface AssetsStats {
  files: number
  totalBytes: number
  largest: { name: string; bytes: number }
}

export function assetsStats(dir: string): AssetsStats {
  const stats: AssetsStats = { files: 0, totalBytes: 0, largest: { name: '', bytes: 0 } }
  const walk = (path: string, rel: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name)
      const relName = rel ? `${rel}/${name}` : name
      const st = statSync(full)
      if (st.isDirectory()) walk(full, relName)
      else {
        stats.files++
        stats.totalBytes += st.size
        if (st.size > stats.largest.bytes) stats.largest = { name: relName, bytes: st.size }
      }
    }
  }
  walk(dir, '')
  return stats
}

/** Process groups of the wrangler dev servers still running, killed if this process exits early. */
const live = new Set<number>()
process.once('exit', () => {
  for (const group of live) {
    try {
      process.kill(-group, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

export type { DevServer }

/**
 * `wrangler dev` for a benchmark: the tests' helper (tests/e2e/wrangler-dev.ts:
 * free ports, the inspector, a fresh state dir, offline env), with a long
 * timeout for large indexes, and the server killed if the benchmark exits
 * early.
 */
export function startDev(config: string | readonly string[], timeoutMs = 600_000): Promise<DevServer> {
  return startWranglerDev({
    config,
    timeoutMs,
    onSpawn: (child) => {
      live.add(child.pid!)
      child.once('exit', () => live.delete(child.pid!))
    },
  })
}
