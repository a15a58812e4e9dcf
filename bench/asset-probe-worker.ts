/**
 * A Worker that only times `env.ASSETS.fetch` of one file, to separate what
 * `wrangler dev` spends serving static assets from what the search Worker
 * spends on its own (docs/benchmarks.md, "first answer").
 *
 * ```sh
 * npx tsx -e "import {tempConfig} from './bench/lib/wrangler.ts'; tempConfig({dir: '.tmp/probe', name: 'probe', assets: 'generated/assets', main: 'bench/asset-probe-worker.ts'})"
 * npx wrangler dev --config .tmp/probe/wrangler.probe.toml --port 8813 &
 * curl 'http://127.0.0.1:8813/?f=terms.bin'   # "200 3186812 bytes 74 ms" (I/O wait seen by the Worker)
 * ```
 *
 * The Worker's clock only moves across I/O, so its figure is the wait for
 * the bytes; curl's total adds the rest of the round trip through the dev
 * server.
 */
export default {
  async fetch(request: Request, env: { ASSETS: Fetcher }): Promise<Response> {
    const file = new URL(request.url).searchParams.get('f') ?? 'manifest.json'
    const started = Date.now()
    const response = await env.ASSETS.fetch(`https://assets.invalid/${file}`)
    const bytes = await response.arrayBuffer()
    return new Response(`${response.status} ${bytes.byteLength} bytes ${Date.now() - started} ms\n`)
  },
}
