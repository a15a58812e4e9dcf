/**
 * XSS: an article whose title (and body) carry an <img onerror> payload is indexed, served by wrangler dev and
 * searched in Chromium. The payload must show as text and never run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { launchBrowser, ROOT, settled, startHostSite, startWorker, trackPageErrors, widget, type Browser, type HostSite, type Worker } from './helpers'

const PAYLOAD = '<img src=x onerror="window.__xss=1">'

let dir: string
let worker: Worker
let browser: Browser
let articleId: string
let linked: HostSite

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'article-search-xss-'))
  // A real record (line 1 of the Reuters fixture, "BAHIA COCOA REVIEW"), with the payload put into its title and body.
  const lines = (await readFile(join(ROOT, 'tests/fixtures/reuters-sample.jsonl'), 'utf8')).split('\n').filter(Boolean)
  const record = JSON.parse(lines[0]!)
  articleId = String(record.id)
  record.title = `${PAYLOAD} ${record.title}`
  record.body = `${PAYLOAD} ${record.body}`
  // A url that must never be followed, and (line 2, "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT") one that must be.
  record.url = 'javascript:window.__xss=2'
  linked = await startHostSite()
  const withUrl = { ...JSON.parse(lines[1]!), url: `${linked.origin}/?article=2` }
  await writeFile(join(dir, 'articles.jsonl'), [JSON.stringify(record), JSON.stringify(withUrl), ...lines.slice(2)].join('\n') + '\n')
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['index-build/cli.ts', join(dir, 'articles.jsonl'), '--out', join(dir, 'out'), '--quiet'], { cwd: ROOT })
  ;[worker, browser] = await Promise.all([startWorker({ assets: join(dir, 'out') }), launchBrowser()])
})

afterAll(async () => {
  await Promise.all([browser?.close(), worker?.stop(), linked?.close()])
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('<article-search> over a corpus with hostile text and urls', () => {
  it('shows an <img onerror> title and snippet as text, and never runs it', async () => {
    const hit = (await (await fetch(`${worker.url}/search?q=bahia+cocoa&limit=1`)).json()) as any
    expect(hit.hits[0].id).toBe(articleId)
    expect(hit.hits[0].title).toContain(PAYLOAD)

    const page = await browser.context.newPage()
    const errors = trackPageErrors(page)
    const w = widget(page)
    await page.goto(`${worker.url}/`)
    await w.input.fill('bahia cocoa')
    await settled(page)
    await w.options.first().waitFor()
    expect(await w.options.first().getAttribute('data-id')).toBe(articleId)
    // The payload is visible as literal text, in the title and in the snippet.
    expect(await w.options.first().locator('.t').textContent()).toBe(`${PAYLOAD} BAHIA COCOA REVIEW`)
    expect(await w.options.first().locator('.s').textContent()).toContain(PAYLOAD)
    expect(await w.marks.count()).toBeGreaterThan(0)

    await page.waitForTimeout(300) // time for an injected image to fail and fire onerror, were there one
    expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined()
    expect(
      await page.evaluate(() => (globalThis as any).document.querySelector('article-search').shadowRoot.querySelectorAll('img').length),
    ).toBe(0)
    expect(await page.locator('img').count()).toBe(0) // nothing in the light DOM either

    // Enter on it: article-select fires, but its javascript: url is not followed.
    await w.input.press('ArrowDown')
    await w.input.press('Enter')
    await page.waitForTimeout(200)
    expect(page.url()).toBe(`${worker.url}/`)
    expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined()
    expect(errors).toEqual([])
    await page.close()
  })

  it('opens the url of a hit that has one when Enter chooses it', async () => {
    const page = await browser.context.newPage()
    const w = widget(page)
    await page.goto(`${worker.url}/`)
    await w.input.fill('standard oil financial unit')
    await settled(page)
    expect(await w.options.first().getAttribute('data-id')).toBe('2')
    await w.input.press('ArrowDown')
    await Promise.all([page.waitForURL(`${linked.origin}/?article=2`), w.input.press('Enter')])
    await page.close()
  })
})
