/**
 * <article-search> in a real Chromium against a real `wrangler dev` (the bundled index): typing, highlights,
 * keyboard, topic chips, sort, paging, "did you mean", embedding on other origins, an unreachable API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { freePort } from '../e2e/wrangler-dev'
import { launchBrowser, ROOT, settled, startHostSite, startWorker, trackPageErrors, widget, type Browser, type HostSite, type Worker } from './helpers'

/**
 * TODO(sort): the API does not take `sort` yet and answers 400 for it; the widget must show that error gracefully.
 * Flip to true when GET /search accepts sort=relevance|date: the test then asserts newest-first order instead.
 */

let worker: Worker
let browser: Browser
let allowedHost: HostSite
let refusedHost: HostSite

beforeAll(async () => {
  ;[allowedHost, refusedHost] = await Promise.all([startHostSite(), startHostSite()])
  ;[worker, browser] = await Promise.all([startWorker({ allowedOrigins: allowedHost.origin }), launchBrowser()])
})

afterAll(async () => {
  await Promise.all([browser?.close(), worker?.stop(), allowedHost?.close(), refusedHost?.close()])
})

async function api(path: string): Promise<any> {
  const response = await fetch(`${worker.url}${path}`)
  expect(response.status).toBe(200)
  return response.json()
}

async function openDemo(): Promise<{ page: Page; errors: Error[]; w: ReturnType<typeof widget> }> {
  const page = await browser.context.newPage()
  const errors = trackPageErrors(page)
  await page.goto(`${worker.url}/`)
  const w = widget(page)
  await w.input.waitFor()
  return { page, errors, w }
}

async function search(page: Page, query: string): Promise<void> {
  const { input } = widget(page)
  await input.fill('')
  await input.pressSequentially(query, { delay: 20 })
  await page.waitForTimeout(150) // the debounce
  await settled(page)
}

const titles = (page: Page) => widget(page).options.locator('.t').allTextContents()
const ids = (page: Page) => widget(page).options.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')))

describe('<article-search> on the demo page', () => {
  it('shows ranked results with <mark> highlights as the user types, and is driven by the keyboard', async () => {
    const { page, errors, w } = await openDemo()
    const cspViolations: string[] = []
    page.on('console', (message) => /Content Security Policy/i.test(message.text()) && cspViolations.push(message.text()))
    const requests: string[] = []
    page.on('request', (request) => request.url().includes('/search?') && requests.push(request.url()))

    await search(page, 'oil prices')
    const expected = await api('/search?q=oil+prices&limit=10')
    expect(await ids(page)).toEqual(expected.hits.map((hit: any) => hit.id))
    expect(await titles(page)).toEqual(expected.hits.map((hit: any) => hit.title))
    expect(await w.marks.count()).toBeGreaterThan(0)
    expect((await w.marks.allTextContents()).some((text) => /^(oil|pric)/i.test(text))).toBe(true)
    // The title's matched words are marked from titleHighlights ("OIL PRICES SAID NOW BASED ON FUTURES PRICE").
    const [first] = expected.hits
    const titleMarks = await w.options.first().locator('.t mark').allTextContents()
    expect(titleMarks.length).toBeGreaterThan(0)
    expect(titleMarks).toEqual(first.titleHighlights.map(([start, end]: [number, number]) => first.title.slice(start, end)))
    // Debounced: far fewer requests than the ten keystrokes, and the last one is for the whole query.
    expect(requests.length).toBeLessThan(10)
    expect(new URL(requests.at(-1)!).searchParams.get('q')).toBe('oil prices')
    await expect.poll(() => w.status.textContent()).toMatch(new RegExp(`${expected.total.toLocaleString('en-GB')} results`))

    // Combobox pattern: arrows move aria-activedescendant over the options.
    await expect.poll(() => w.input.getAttribute('aria-expanded')).toBe('true')
    expect(await w.input.getAttribute('aria-controls')).toBe(await w.listbox.getAttribute('id'))
    await w.input.press('ArrowDown')
    expect(await w.input.getAttribute('aria-activedescendant')).toBe('o0')
    await w.input.press('ArrowDown')
    await w.input.press('ArrowDown')
    expect(await w.input.getAttribute('aria-activedescendant')).toBe('o2')
    await w.input.press('ArrowUp')
    expect(await w.input.getAttribute('aria-activedescendant')).toBe('o1')
    expect(await w.host.locator('#o1').getAttribute('aria-selected')).toBe('true')
    expect(await w.host.locator('#o0').getAttribute('aria-selected')).toBe('false')

    // Enter on a hit without a url (Reuters) dispatches article-select with the hit.
    await page.evaluate(() => {
      const g = globalThis as any
      g.document.querySelector('article-search').addEventListener('article-select', (event: any) => (g.__selected = event.detail.hit.id))
    })
    await w.input.press('Enter')
    expect(await page.evaluate(() => (globalThis as any).__selected)).toBe(expected.hits[1].id)
    expect(page.url()).toBe(`${worker.url}/`)

    // Escape closes the list, then clears the input.
    await w.input.press('Escape')
    expect(await w.input.getAttribute('aria-expanded')).toBe('false')
    expect(await w.input.getAttribute('aria-activedescendant')).toBeNull()
    await w.input.press('Escape')
    expect(await w.input.inputValue()).toBe('')

    expect(cspViolations).toEqual([])
    expect(errors).toEqual([])
    await page.close()
  })

  it('filters by a topic chip: only that topic, and the total updates', async () => {
    const { page, errors, w } = await openDemo()
    await search(page, 'oil prices')
    const all = await api('/search?q=oil+prices&limit=10')
    const crude = await api('/search?q=oil+prices&topic=crude&limit=10')
    expect(crude.total).toBeLessThan(all.total)
    const chip = w.host.locator('button.chip[data-slug="crude"]')
    expect(await chip.getAttribute('aria-pressed')).toBe('false')
    expect(await chip.textContent()).toContain(String(crude.total))
    await chip.click()
    await settled(page)
    await expect.poll(() => w.host.locator('button.chip[data-slug="crude"]').getAttribute('aria-pressed')).toBe('true')
    expect(await ids(page)).toEqual(crude.hits.map((hit: any) => hit.id))
    for (const meta of await w.options.locator('.meta').allTextContents()) expect(meta).toContain('crude')
    expect(await w.message.textContent()).toContain(`${crude.total.toLocaleString('en-GB')} results`)

    // Toggling it off restores the unfiltered total.
    await w.host.locator('button.chip[data-slug="crude"]').click()
    await settled(page)
    await expect.poll(() => w.message.textContent()).toContain(`${all.total.toLocaleString('en-GB')} results`)
    expect(errors).toEqual([])
    await page.close()
  })

  it('sorts by date', async () => {
    const { page, errors, w } = await openDemo()
    await search(page, 'cocoa')
    const requests: string[] = []
    page.on('request', (request) => request.url().includes('/search?') && requests.push(request.url()))
    await w.sort.selectOption('date')
    await settled(page)
    expect(new URL(requests.at(-1)!).searchParams.get('sort')).toBe('date')
    const dates = await w.options.locator('time').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime')!))
    expect(dates.length).toBeGreaterThan(1)
    expect([...dates].sort().reverse()).toEqual(dates)
    expect(errors).toEqual([])
    await page.close()
  })

  it('pages further: "more results" appends the next page and keeps the order', async () => {
    const { page, errors, w } = await openDemo()
    await search(page, 'oil')
    const expected = await api('/search?q=oil&limit=20')
    const first = await ids(page)
    expect(first).toEqual(expected.hits.slice(0, 10).map((hit: any) => hit.id))
    await w.more.click()
    await settled(page)
    await expect.poll(() => w.options.count()).toBe(20)
    expect(await ids(page)).toEqual(expected.hits.map((hit: any) => hit.id))
    expect(await w.more.textContent()).toContain(`20 of ${expected.total.toLocaleString('en-GB')}`)
    // The keyboard reaches the appended hits.
    for (let i = 0; i < 15; i++) await w.input.press('ArrowDown')
    expect(await w.input.getAttribute('aria-activedescendant')).toBe('o14')
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows "did you mean" and searches the suggestion when it is clicked', async () => {
    const { page, errors, w } = await openDemo()
    await search(page, 'oyl')
    const suggestion = w.message.locator('button', { hasText: 'oil' })
    await suggestion.waitFor()
    expect(await w.message.textContent()).toContain('Did you mean oil?')
    await suggestion.click()
    await settled(page)
    expect(await w.input.inputValue()).toBe('oil')
    const expected = await api('/search?q=oil&limit=10')
    expect(await ids(page)).toEqual(expected.hits.map((hit: any) => hit.id))
    expect(await w.message.locator('button').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('says so when the query was relaxed to any word', async () => {
    const { page, w } = await openDemo()
    await search(page, 'putin cocoa')
    expect(await w.message.textContent()).toContain('No article has every word')
    await page.close()
  })

  it('saves a screenshot of the demo page with results to docs/screenshot.png', async () => {
    const { page } = await openDemo()
    await search(page, 'oil prices')
    await w(page).options.first().waitFor()
    await w(page).input.press('ArrowDown')
    await mkdir(join(ROOT, 'docs'), { recursive: true })
    await page.screenshot({ path: join(ROOT, 'docs/screenshot.png') })
    await page.close()
  })
})

const w = widget

describe('<article-search> embedded on other sites', () => {
  const embed = (host: HostSite, endpoint: string, limit?: number) =>
    `${host.origin}/?endpoint=${encodeURIComponent(endpoint)}&script=${encodeURIComponent(`${worker.url}/widget.js`)}${limit ? `&limit=${limit}` : ''}`

  it('works on an origin listed in ALLOWED_ORIGINS (with limit="5")', async () => {
    const page = await browser.context.newPage()
    const errors = trackPageErrors(page)
    await page.goto(embed(allowedHost, worker.url, 5))
    await search(page, 'cocoa')
    const expected = await api('/search?q=cocoa&limit=5')
    expect(await ids(page)).toEqual(expected.hits.map((hit: any) => hit.id))
    expect(await w(page).error.count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows a message, and leaves the host page working, on an origin the API refuses (CORS)', async () => {
    const page = await browser.context.newPage()
    const errors = trackPageErrors(page)
    await page.goto(embed(refusedHost, worker.url))
    await search(page, 'cocoa')
    await expect.poll(() => w(page).error.textContent()).toMatch(/could not be reached/)
    expect(await w(page).options.count()).toBe(0)
    await hostStillWorks(page)
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows an error state, and leaves the host page working, when the API is unreachable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`
    const page = await browser.context.newPage()
    const errors = trackPageErrors(page)
    await page.goto(embed(allowedHost, closed))
    await search(page, 'cocoa')
    await expect.poll(() => w(page).error.textContent()).toMatch(/could not be reached/)
    expect(await w(page).error.getAttribute('role')).toBe('alert')
    // Typing again after the failure still works (and still fails politely).
    await search(page, 'oil')
    await expect.poll(() => w(page).error.textContent()).toMatch(/could not be reached/)
    await hostStillWorks(page)
    expect(errors).toEqual([])
    await page.close()
  })
})

async function hostStillWorks(page: Page): Promise<void> {
  expect(await page.locator('#host-title').textContent()).toBe('A news site')
  expect(await page.locator('#host-footer').isVisible()).toBe(true)
  await page.locator('#host-button').click()
  await page.locator('#host-button').click()
  expect(await page.evaluate(() => (globalThis as any).__clicks)).toBe(2)
}
