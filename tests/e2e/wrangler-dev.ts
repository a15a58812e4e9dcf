import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A free TCP port on loopback, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * wrangler.toml without its `[[ratelimits]]` block, for runs that send every
 * request from one loopback address (benchmarks, evaluations): `wrangler dev`
 * enforces the limit, so with it they would measure the limiter's 429s.
 */
export function withoutRateLimits(toml: string): string {
  const stripped = toml.replace(/\[\[ratelimits\]\][\s\S]*?(?=\n\[|$)/, '')
  if (/ratelimits/.test(stripped.replace(/^#.*$/gm, ''))) throw new Error('could not remove [[ratelimits]] from wrangler.toml')
  return stripped
}

export interface DevServer {
  url: string
  /** The inspector's port (`wrangler dev --inspector-port`): the benchmark profiles and reads the heap through it. */
  inspectorPort: number
  process: ChildProcess
  /** `performance.now()` at wrangler's "Ready on" line. */
  readyAt: number
  /** Milliseconds from spawn to wrangler's "Ready" line. */
  readyAfterMs: number
  /** Everything wrangler dev printed so far (reloads, uncaught errors, workerd's messages). */
  log(): string
  stop(): Promise<void>
}

export interface DevOptions {
  /** wrangler config(s); several run as one session, the first Worker on the port (the sharded setup). Default: wrangler.toml. */
  config?: string | readonly string[]
  /** Give up when not ready after this long. Default: 90 s. */
  timeoutMs?: number
  /** Called with the child as soon as it is spawned (the benchmark registers it to kill on an early exit). */
  onSpawn?: (child: ChildProcess) => void
}

/**
 * Starts the real `wrangler dev` (local workerd, offline) on free ports and
 * resolves when it says it is ready. The caller stops it. One helper for the
 * e2e and browser tests and the benchmarks (bench/lib/wrangler.ts).
 *
 * @example
 * ```ts
 * const server = await startWranglerDev({ config: 'wrangler.toml' })
 * await fetch(`${server.url}/search?q=oil`)
 * await server.stop()
 * ```
 */
export async function startWranglerDev(options: DevOptions = {}): Promise<DevServer> {
  const timeoutMs = options.timeoutMs ?? 90_000
  const port = await freePort()
  const inspectorPort = await freePort()
  // A fresh state dir: wrangler dev keeps Cache API entries on disk, and a later run over the same index version
  // (builds are deterministic) would otherwise be answered from them for up to s-maxage (300 s) instead of searching.
  const persistTo = mkdtempSync(join(tmpdir(), 'wrangler-dev-state-'))
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', persistTo]
  for (const config of [options.config ?? []].flat()) args.push('--config', config)
  const started = performance.now()
  const child = spawn('node_modules/.bin/wrangler', args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  options.onSpawn?.(child)
  let output = ''
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (/Build failed|Could not resolve/.test(output)) {
        clearTimeout(timer)
        reject(new Error(`wrangler dev could not build the Worker:\n${output.slice(-1500)}`))
      } else if (/Ready on http/.test(output)) {
        clearTimeout(timer)
        resolve(performance.now())
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`wrangler dev exited with ${code}:\n${output}`))
    })
  })
  const running = () => child.exitCode === null && child.signalCode === null
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name)
    } catch {
      // already gone
    }
  }
  const stop = async () => {
    if (running()) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      signal('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
      if (running()) signal('SIGKILL')
    }
    rmSync(persistTo, { recursive: true, force: true })
  }
  try {
    const readyAt = await ready
    return { url: `http://127.0.0.1:${port}`, inspectorPort, process: child, readyAt, readyAfterMs: readyAt - started, log: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
