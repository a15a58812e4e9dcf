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

export interface DevServer {
  url: string
  process: ChildProcess
  /** Milliseconds from spawn to wrangler's "Ready" line. */
  readyAfterMs: number
  stop(): Promise<void>
}

/**
 * Starts the real `wrangler dev` (local workerd, offline) on a free port and
 * resolves when it says it is ready. The caller stops it.
 */
export async function startWranglerDev(options: { config?: string | readonly string[]; timeoutMs?: number } = {}): Promise<DevServer> {
  const port = await freePort()
  // A fresh state dir: wrangler dev keeps Cache API entries on disk, and a later run over the same index version
  // would otherwise be answered from them instead of searching.
  const persistTo = mkdtempSync(join(tmpdir(), 'wrangler-dev-state-'))
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--persist-to', persistTo]
  // Several configs: one session with every Worker, the first on the port (the sharded setup, docs/sharding.md).
  for (const config of [options.config ?? []].flat()) args.push('--config', config)
  const started = Date.now()
  const child = spawn('node_modules/.bin/wrangler', args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after ${options.timeoutMs ?? 90_000} ms:\n${output}`)), options.timeoutMs ?? 90_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (/Ready on http/.test(output)) {
        clearTimeout(timer)
        resolve(Date.now() - started)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`wrangler dev exited with ${code}:\n${output}`))
    })
  })
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    process.kill(-child.pid!, 'SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL')
    rmSync(persistTo, { recursive: true, force: true })
  }
  try {
    const readyAfterMs = await ready
    return { url: `http://127.0.0.1:${port}`, process: child, readyAfterMs, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
