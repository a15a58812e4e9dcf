/**
 * Shared set-up for the browser tests: a temp wrangler config (own assets directory, own ALLOWED_ORIGINS), Debian's
 * Chromium driven by playwright-core with a fresh profile, and tiny host pages on other loopback origins.
 */
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { startWranglerDev, type DevServer } from '../e2e/wrangler-dev'

export const ROOT = resolve(import.meta.dirname, '../..')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Chromium with a fresh user-data-dir, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  const userDataDir = await mkdtemp(join(tmpdir(), 'article-search-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  })
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined)
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}

export interface Worker extends DevServer {
  dir: string
}

/**
 * `wrangler dev` over the real Worker (src/index.ts), with its own config in a temp
 * dir: `assets` is the index directory (default generated/assets), `allowedOrigins` the CORS list.
 */
export async function startWorker(options: { assets?: string; allowedOrigins?: string } = {}): Promise<Worker> {
  const dir = await mkdtemp(join(tmpdir(), 'article-search-wrangler-'))
  const config = join(dir, 'wrangler.toml')
  const assets = options.assets ?? join(ROOT, 'generated/assets')
  await writeFile(
    config,
    [
      'name = "edge-article-search-browser-test"',
      `main = ${JSON.stringify(join(ROOT, 'src/index.ts'))}`,
      'compatibility_date = "2026-04-20"',
      'compatibility_flags = ["nodejs_compat"]',
      'send_metrics = false',
      // The script embeds the files of the same build as the assets (src/search-index/embedded.ts).
      '[alias]',
      `"embedded-index" = ${JSON.stringify(join(assets, 'embedded.js'))}`,
      '[vars]',
      `ALLOWED_ORIGINS = ${JSON.stringify(options.allowedOrigins ?? '*')}`,
      '[assets]',
      `directory = ${JSON.stringify(assets)}`,
      'binding = "ASSETS"',
      'run_worker_first = true',
      '',
    ].join('\n'),
  )
  try {
    const server = await startWranglerDev({ config })
    // Load the index now (the first request pays for it), so the tests' timings are about the widget.
    await fetch(`${server.url}/health`).then((response) => response.arrayBuffer()).catch(() => undefined)
    return {
      ...server,
      dir,
      stop: async () => {
        await server.stop()
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

export interface HostSite {
  origin: string
  close(): Promise<void>
}

const escapeAttr = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * A third-party page on its own loopback origin that embeds the widget: `GET /?endpoint=URL&script=URL[&limit=N]`.
 * It has a host button outside the widget (`#host-button`, counts clicks in `window.__clicks`).
 */
export async function startHostSite(): Promise<HostSite> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://host.test')
    if (url.pathname !== '/') {
      response.writeHead(404).end()
      return
    }
    const endpoint = url.searchParams.get('endpoint') ?? ''
    const script = url.searchParams.get('script') ?? ''
    const limit = url.searchParams.get('limit')
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host page</title></head><body>
<h1 id="host-title">A news site</h1>
<button id="host-button" type="button">Host button</button>
<article-search endpoint="${escapeAttr(endpoint)}" placeholder="Search"${limit ? ` limit="${escapeAttr(limit)}"` : ''}></article-search>
<p id="host-footer">Footer</p>
<script>window.__clicks = 0; document.getElementById('host-button').addEventListener('click', () => { window.__clicks++ })</script>
<script src="${escapeAttr(script)}"></script>
</body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address !== 'object') throw new Error('host site has no port')
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Collects uncaught page errors (exceptions and unhandled rejections) for the life of the page. */
export function trackPageErrors(page: Page): Error[] {
  const errors: Error[] = []
  page.on('pageerror', (error) => errors.push(error))
  return errors
}

/** The widget's parts; Playwright's CSS locators pierce the open shadow root. */
export function widget(page: Page) {
  const host = page.locator('article-search')
  return {
    host,
    input: host.locator('input[role=combobox]'),
    options: host.locator('li[role=option]'),
    marks: host.locator('li[role=option] mark'),
    chips: host.locator('button.chip'),
    sort: host.locator('select'),
    message: host.locator('.msg'),
    error: host.locator('.msg.err'),
    status: host.locator('[role=status]'),
    more: host.locator('button.more'),
    listbox: host.locator('ul[role=listbox]'),
  }
}

/** Waits until the widget has finished its current request (no aria-busy on the listbox). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const root = (globalThis as any).document.querySelector('article-search')?.shadowRoot
    return root && !root.querySelector('ul[aria-busy]') && !/Searching/.test(root.querySelector('.msg')?.textContent ?? '')
  })
}
