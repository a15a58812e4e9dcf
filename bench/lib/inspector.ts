/**
 * A minimal Chrome DevTools Protocol client for the workerd isolate behind
 * `wrangler dev --inspector-port`. Used for heap figures
 * (`HeapProfiler.collectGarbage` + `Runtime.getHeapUsage`) and for CPU
 * profiles (`Profiler.*`) of the Worker while it answers requests.
 */
import WebSocket from 'ws'

export interface CpuProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}
export interface CpuProfile {
  nodes: CpuProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export class Inspector {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>()
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString())
      if (typeof message.id === 'number') {
        const waiter = this.pending.get(message.id)
        this.pending.delete(message.id)
        if (message.error) waiter?.reject(new Error(`${message.error.message} (${message.error.code})`))
        else waiter?.resolve(message.result)
      }
    })
  }

  /** Connects to the first target listed by the inspector proxy at `port`, retrying until it is up. */
  static async connect(port: number, timeoutMs = 30_000): Promise<Inspector> {
    const deadline = Date.now() + timeoutMs
    let lastError: unknown
    while (Date.now() < deadline) {
      try {
        const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string; id?: string }[]
        const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl
        if (!url) throw new Error(`no inspector target on port ${port}: ${JSON.stringify(targets)}`)
        const socket = new WebSocket(url)
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve())
          socket.once('error', reject)
        })
        return new Inspector(socket)
      } catch (error) {
        lastError = error
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    throw new Error(`inspector on port ${port} unavailable: ${String(lastError)}`)
  }

  send<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  /** Used heap of the isolate after a full GC, in bytes. */
  async retainedHeap(): Promise<{ usedSize: number; totalSize: number }> {
    await this.send('HeapProfiler.enable').catch(() => undefined)
    await this.send('HeapProfiler.collectGarbage')
    await this.send('HeapProfiler.collectGarbage')
    return this.send('Runtime.getHeapUsage')
  }

  close(): void {
    this.socket.close()
  }
}

/**
 * Time (µs) per sample; `(idle)` samples are flagged so callers can drop them,
 * and `(program)` ones too: the isolate was neither idle nor running its own
 * JavaScript or GC. Under wrangler dev that is mostly the dev server's other
 * Workers on the same thread and the isolate waiting on I/O without being
 * flagged idle, so JS + GC samples alone are the isolate's own CPU.
 */
export function profileSamples(profile: CpuProfile): { time: number; delta: number; idle: boolean; program: boolean; name: string }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  const out: { time: number; delta: number; idle: boolean; program: boolean; name: string }[] = []
  let time = profile.startTime
  for (let i = 0; i < samples.length; i++) {
    time += deltas[i] ?? 0
    // timeDeltas[i] is the time since the previous sample, counted for sample i (as DevTools does); counting
    // the gap to the NEXT sample instead would charge a long trailing (idle) gap to the last busy sample.
    const delta = deltas[i] ?? 0
    const name = byId.get(samples[i]!)?.callFrame.functionName ?? ''
    out.push({ time, delta, idle: name === '(idle)', program: name === '(program)', name })
  }
  return out
}

/** Non-idle sample time and span of a cpuprofile, in ms. */
export function profileCpu(profile: CpuProfile): { nonIdleMs: number; spanMs: number; samples: number } {
  const samples = profileSamples(profile)
  const nonIdle = samples.filter((s) => !s.idle).reduce((a, s) => a + s.delta, 0)
  return { nonIdleMs: nonIdle / 1000, spanMs: (profile.endTime - profile.startTime) / 1000, samples: samples.length }
}
