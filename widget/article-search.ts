/**
 * `<article-search>`: an embeddable, dependency-free search box for the edge search API.
 *
 * ```html
 * <script src="https://search.example/widget.js" defer></script>
 * <article-search endpoint="https://search.example" placeholder="Search the archive"></article-search>
 * ```
 *
 * Attributes (all optional; changes are picked up by the next request):
 *
 * | attribute | default | meaning |
 * |---|---|---|
 * | `endpoint` | `""` (the page's own origin) | base URL of the API; the widget calls `${endpoint}/search` |
 * | `placeholder` | `Search articles` | the input's placeholder |
 * | `label` | `Search articles` | the input's accessible name |
 * | `topics` | none | comma-separated topic names or slugs selected at start (`topic=` filter); the chips toggle them |
 * | `limit` | `10` | page size, 1–20 (the API's `limit` cap, `SEARCH_LIMITS.maxLimit`) |
 * | `sort` | `relevance` | `relevance` or `date` (newest first), the select's initial value; `sort=date` is sent only for `date` |
 * | `debounce` | `100` | milliseconds between the last keystroke and the request |
 *
 * Events: `article-select` (bubbles, composed, cancelable; `detail: { hit }`) when a hit is chosen with Enter or a
 * click. Unless a listener calls `preventDefault()`, a hit with an `http(s)` url is then opened in the same tab.
 *
 * Theming, through CSS custom properties set on the element or any ancestor:
 * `--article-search-accent`, `--article-search-font`, `--article-search-radius`, `--article-search-bg`,
 * `--article-search-text`, `--article-search-muted`, `--article-search-border`, `--article-search-mark-bg`,
 * `--article-search-mark-text`, `--article-search-focus`, `--article-search-max-height`.
 * Parts: `input`, `results`, `option`, `chip`, `more`, `message`.
 *
 * Safety: nothing from the API is parsed as HTML. Dates and topics are set with `textContent`; the title is cut at
 * its `titleHighlights` ranges into text runs and `<mark>` runs; the snippet (the API's escaped HTML with `<mark>`)
 * is tokenised into text runs and `<mark>` runs, entities decoded here. Both are built from text nodes and `mark`
 * elements. Every failure (network, CORS, HTTP error, bad JSON) ends as a
 * message inside the widget; nothing is thrown into the host page.
 */

import { SEARCH_LIMITS } from '../src/params/limits'
import { rangeRuns, snippetRuns } from './snippet'

export interface Hit {
  id: string
  title: string
  snippet?: string
  date?: string | null
  url?: string
  source?: string
  topics?: string[]
  /** Optional future shape: plain snippet text plus `[start, end)` highlight ranges, used in preference to `snippet`. */
  highlight?: { text: string; ranges: [number, number][] }
  /** The title's matched words, `[start, end)` into `title`; marked in the rendered title. */
  titleHighlights?: [number, number][]
  [key: string]: unknown
}

interface Facet {
  topic: string
  slug: string
  count: number
}

interface SearchResponse {
  total: number
  relaxed?: boolean
  didYouMean?: string | null
  hits: Hit[]
  facets?: { topics?: Facet[] }
}

const CSS = `
:host{display:block;font:var(--article-search-font,inherit);color:var(--article-search-text,#1b1b1f);--a:var(--article-search-accent,#0b57d0);--m:var(--article-search-muted,#5f6368);--b:var(--article-search-border,#c4c7c5);--r:var(--article-search-radius,8px);--f:var(--article-search-focus,var(--a))}
:host([hidden]){display:none}
*{box-sizing:border-box}
.w{background:var(--article-search-bg,#fff);border:1px solid var(--b);border-radius:var(--r);padding:.75em}
.bar{display:flex;gap:.5em}
input,select,button{font:inherit;color:inherit}
input{flex:1;min-width:0;padding:.55em .75em;border:1px solid var(--b);border-radius:var(--r);background:transparent}
select{padding:.5em;border:1px solid var(--b);border-radius:var(--r);background:transparent}
input:focus-visible,select:focus-visible,button:focus-visible{outline:3px solid var(--f);outline-offset:2px}
.chips{display:flex;flex-wrap:wrap;gap:.35em;margin:.6em 0 0}
.chips:empty{display:none}
.chip{border:1px solid var(--b);border-radius:999px;background:transparent;padding:.2em .7em;cursor:pointer;font-size:.85em}
.chip[aria-pressed=true]{background:var(--a);border-color:var(--a);color:#fff}
.chip span{opacity:.75;margin-left:.35em}
.msg{margin:.6em 0 0;color:var(--m);font-size:.9em}
.msg:empty{display:none}
.err{color:#b3261e}
.msg button{border:0;background:none;padding:0;color:var(--a);text-decoration:underline;cursor:pointer}
ul{list-style:none;margin:.6em 0 0;padding:0;max-height:var(--article-search-max-height,none);overflow:auto}
ul[hidden]{display:none}
li{padding:.6em .5em;border-radius:var(--r);cursor:pointer;border-left:3px solid transparent}
li+li{margin-top:.15em}
li:hover{background:rgba(127,127,127,.08)}
li[aria-selected=true]{background:rgba(127,127,127,.14);border-left-color:var(--a);outline:2px solid var(--f);outline-offset:-2px}
.t{font-weight:600;display:block}
.s{display:block;margin:.2em 0;font-size:.92em}
.meta{display:block;font-size:.8em;color:var(--m)}
mark{background:var(--article-search-mark-bg,#ffe98a);color:var(--article-search-mark-text,inherit);border-radius:2px}
.more{margin:.6em 0 0;padding:.45em 1em;border:1px solid var(--a);color:var(--a);background:transparent;border-radius:var(--r);cursor:pointer}
.more[hidden]{display:none}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
[aria-busy=true]{opacity:.6}
`

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: object = {}, attrs: Record<string, string> = {}) {
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props)
  for (const name in attrs) node.setAttribute(name, attrs[name]!)
  return node
}

function formatDate(iso: string): string {
  const time = Date.parse(iso.length === 10 ? iso + 'T00:00:00Z' : iso + 'Z')
  if (Number.isNaN(time)) return iso
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(time)
  } catch {
    return iso.slice(0, 10)
  }
}

/** A span of text runs, the marked ones in `<mark>` elements; no HTML is parsed. */
function marked(className: string, runs: [string, boolean][]): HTMLSpanElement {
  const span = el('span', { className })
  for (const [text, mark] of runs) span.append(mark ? el('mark', { textContent: text }) : document.createTextNode(text))
  return span
}

let sheet: CSSStyleSheet | undefined

export class ArticleSearch extends HTMLElement {
  static observedAttributes = ['placeholder', 'label', 'topics']

  private root: ShadowRoot
  private input: HTMLInputElement
  private sort: HTMLSelectElement
  private chips: HTMLDivElement
  private status: HTMLParagraphElement
  private msg: HTMLParagraphElement
  private list: HTMLUListElement
  private more: HTMLButtonElement
  private hits: Hit[] = []
  private total = 0
  private offset = 0
  private active = -1
  private selected = new Set<string>()
  private timer?: ReturnType<typeof setTimeout>
  private controller?: AbortController
  private seq = 0
  private initialised = false

  constructor() {
    super()
    this.root = this.attachShadow({ mode: 'open' })
    // A constructed stylesheet is not an inline <style>, so a host page's strict CSP (style-src 'self') allows it.
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet()
        sheet.replaceSync(CSS)
      }
      this.root.adoptedStyleSheets = [sheet]
    } catch {
      this.root.append(el('style', { textContent: CSS }))
    }
    const wrap = el('div', { className: 'w' })
    this.input = el('input', { type: 'search', id: 'q', autocomplete: 'off', spellcheck: false }, {
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': 'r',
      part: 'input',
    })
    this.sort = el('select', {}, { 'aria-label': 'Sort results' })
    this.sort.append(el('option', { value: 'relevance', textContent: 'Relevance' }), el('option', { value: 'date', textContent: 'Newest first' }))
    const bar = el('div', { className: 'bar' })
    bar.append(this.input, this.sort)
    this.chips = el('div', { className: 'chips' }, { role: 'group', 'aria-label': 'Filter by topic' })
    this.status = el('p', { className: 'vh' }, { role: 'status', 'aria-live': 'polite' })
    this.msg = el('p', { className: 'msg' }, { part: 'message' })
    this.list = el('ul', { id: 'r', hidden: true }, { role: 'listbox', 'aria-label': 'Search results', part: 'results' })
    this.more = el('button', { type: 'button', className: 'more', hidden: true, textContent: 'More results' }, { part: 'more' })
    wrap.append(bar, this.chips, this.status, this.msg, this.list, this.more)
    this.root.append(wrap)

    this.input.addEventListener('input', () => this.schedule())
    this.input.addEventListener('keydown', (event) => this.onKey(event))
    this.sort.addEventListener('change', () => this.run(false))
    this.more.addEventListener('click', () => this.run(true))
    this.list.addEventListener('mousedown', (event) => event.preventDefault()) // keep focus in the input
    this.list.addEventListener('click', (event) => {
      const option = (event.target as Element).closest?.('li')
      const index = option ? [...this.list.children].indexOf(option) : -1
      if (index >= 0) this.choose(index)
    })
  }

  connectedCallback() {
    if (!this.initialised) {
      this.initialised = true
      this.sort.value = this.getAttribute('sort') === 'date' ? 'date' : 'relevance'
      this.attributeChangedCallback('placeholder')
      this.attributeChangedCallback('label')
    }
  }

  attributeChangedCallback(name: string) {
    if (name === 'topics') {
      this.selected = new Set((this.getAttribute('topics') ?? '').split(',').map((topic) => topic.trim().toLowerCase()).filter(Boolean))
    } else if (name === 'placeholder') this.input.placeholder = this.getAttribute('placeholder') ?? 'Search articles'
    else this.input.setAttribute('aria-label', this.getAttribute('label') ?? 'Search articles')
  }

  disconnectedCallback() {
    clearTimeout(this.timer)
    this.controller?.abort()
  }

  private get limit(): number {
    const limit = parseInt(this.getAttribute('limit') ?? '', 10)
    return limit >= 1 && limit <= SEARCH_LIMITS.maxLimit ? limit : SEARCH_LIMITS.defaultLimit
  }

  private schedule() {
    clearTimeout(this.timer)
    const wait = parseInt(this.getAttribute('debounce') ?? '', 10)
    this.timer = setTimeout(() => this.run(false), wait >= 0 ? wait : 100)
  }

  private endpoint(): URL {
    const base = (this.getAttribute('endpoint') ?? '').replace(/\/+$/, '')
    return new URL(base + '/search', document.baseURI)
  }

  /** Starts a request for the current state; `append` fetches the next page. Never throws. */
  private async run(append: boolean) {
    clearTimeout(this.timer)
    this.controller?.abort() // an older answer can never overwrite a newer one
    const q = this.input.value.trim()
    if (!q && !this.selected.size) {
      this.clear()
      return
    }
    const controller = (this.controller = new AbortController())
    const seq = ++this.seq
    const offset = append ? this.offset + this.limit : 0
    this.list.setAttribute('aria-busy', 'true')
    this.more.disabled = true
    if (!append) this.message('Searching…')
    try {
      const url = this.endpoint()
      if (q) url.searchParams.set('q', q)
      for (const topic of this.selected) url.searchParams.append('topic', topic)
      url.searchParams.set('limit', String(this.limit))
      if (offset) url.searchParams.set('offset', String(offset))
      if (this.sort.value === 'date') url.searchParams.set('sort', 'date')
      let response: Response
      try {
        response = await fetch(url.href, { signal: controller.signal })
      } catch {
        if (controller.signal.aborted) return
        throw new Error('The search service could not be reached (offline, or this site is not allowed to use it).')
      }
      let body: any
      try {
        body = await response.json()
      } catch {
        if (controller.signal.aborted) return
        throw new Error(`The search service answered with an error (HTTP ${response.status}).`)
      }
      if (seq !== this.seq) return
      if (!response.ok) {
        const text = body?.error?.message
        throw new Error(typeof text === 'string' && text ? `Search failed: ${text}` : `The search service answered with an error (HTTP ${response.status}).`)
      }
      if (!body || !Array.isArray(body.hits)) throw new Error('The search service sent an answer this widget does not understand.')
      this.render(body as SearchResponse, append, offset)
      this.dispatchEvent(new CustomEvent('article-results', { detail: { total: body.total, hits: body.hits }, bubbles: true, composed: true }))
    } catch (error) {
      if (seq !== this.seq) return
      if (!append) this.reset()
      this.message(error instanceof Error ? error.message : 'Search failed.', true)
    } finally {
      if (seq === this.seq) {
        this.list.removeAttribute('aria-busy')
        this.more.disabled = false
      }
    }
  }

  private reset() {
    this.hits = []
    this.total = 0
    this.offset = 0
    this.list.replaceChildren()
    this.more.hidden = true
    this.setActive(-1)
    this.open(false)
  }

  private clear() {
    this.seq++
    this.reset()
    this.chips.replaceChildren()
    this.message('')
    this.status.textContent = ''
  }

  private message(text: string, error = false, suggestion?: string) {
    this.msg.className = error ? 'msg err' : 'msg'
    this.msg.setAttribute('role', error ? 'alert' : 'note')
    this.msg.replaceChildren(text)
    if (suggestion) {
      const button = el('button', { type: 'button', textContent: suggestion })
      button.addEventListener('click', () => {
        this.input.value = suggestion
        this.run(false)
        this.input.focus()
      })
      this.msg.append(' Did you mean ', button, '?')
    }
  }

  private render(body: SearchResponse, append: boolean, offset: number) {
    if (!append) this.reset()
    this.total = typeof body.total === 'number' ? body.total : body.hits.length
    this.offset = offset
    const start = this.hits.length
    for (const hit of body.hits) {
      if (hit && typeof hit === 'object') this.hits.push(hit)
    }
    for (let i = start; i < this.hits.length; i++) this.list.append(this.option(this.hits[i]!, i))
    this.renderChips(body.facets?.topics ?? [])
    const shown = this.hits.length
    const count = this.total === 1 ? '1 result' : `${this.total.toLocaleString()} results`
    const notes: string[] = []
    if (!this.total) notes.push('No articles match.')
    else notes.push(`${count}${shown < this.total ? `, showing ${shown}` : ''}.`)
    if (body.relaxed) notes.push('No article has every word; showing articles with any of them.')
    const suggestion = typeof body.didYouMean === 'string' && body.didYouMean ? body.didYouMean : undefined
    this.message(notes.join(' '), false, suggestion)
    this.status.textContent = this.total ? `${count} available.` : 'No results.'
    this.more.hidden = shown >= this.total || !body.hits.length
    this.more.textContent = `More results (${shown} of ${this.total.toLocaleString()})`
    this.open(shown > 0)
  }

  private option(hit: Hit, index: number): HTMLLIElement {
    const li = el('li', {}, { role: 'option', id: `o${index}`, 'aria-selected': 'false', part: 'option', 'data-id': String(hit.id) })
    const title = String(hit.title ?? '')
    li.append(marked('t', Array.isArray(hit.titleHighlights) ? rangeRuns(title, hit.titleHighlights) : [[title, false]]))
    const runs = hit.highlight && typeof hit.highlight.text === 'string' && Array.isArray(hit.highlight.ranges)
      ? rangeRuns(hit.highlight.text, hit.highlight.ranges)
      : typeof hit.snippet === 'string' ? snippetRuns(hit.snippet) : []
    if (runs.length) li.append(marked('s', runs))
    const meta = el('span', { className: 'meta' })
    if (typeof hit.date === 'string' && hit.date) meta.append(el('time', { dateTime: hit.date, textContent: formatDate(hit.date) }))
    const topics = Array.isArray(hit.topics) ? hit.topics.filter((topic) => typeof topic === 'string') : []
    if (topics.length) meta.append((meta.childNodes.length ? ' · ' : '') + topics.join(', '))
    if (meta.childNodes.length) li.append(meta)
    return li
  }

  private renderChips(facets: Facet[]) {
    const shown = facets.filter((facet, i) => i < 12 || this.isSelected(facet))
    this.chips.replaceChildren(
      ...shown.map((facet) => {
        const pressed = this.isSelected(facet)
        const chip = el('button', { type: 'button', className: 'chip' }, { 'aria-pressed': String(pressed), part: 'chip', 'data-slug': String(facet.slug) })
        chip.append(String(facet.topic), el('span', { textContent: String(facet.count) }, { 'aria-label': `, ${facet.count} articles` }))
        chip.addEventListener('click', () => {
          if (pressed) {
            this.selected.delete(facet.slug.toLowerCase())
            this.selected.delete(String(facet.topic).toLowerCase())
          } else this.selected.add(String(facet.slug).toLowerCase())
          this.run(false)
        })
        return chip
      }),
    )
  }

  private isSelected(facet: Facet): boolean {
    return this.selected.has(String(facet.slug).toLowerCase()) || this.selected.has(String(facet.topic).toLowerCase())
  }

  private open(open: boolean) {
    this.list.hidden = !open
    this.input.setAttribute('aria-expanded', String(open))
    if (!open) this.setActive(-1)
  }

  private setActive(index: number) {
    this.list.children[this.active]?.setAttribute('aria-selected', 'false')
    this.active = index
    const option = this.list.children[index]
    if (option) {
      option.setAttribute('aria-selected', 'true')
      this.input.setAttribute('aria-activedescendant', option.id)
      option.scrollIntoView?.({ block: 'nearest' })
    } else this.input.removeAttribute('aria-activedescendant')
  }

  private onKey(event: KeyboardEvent) {
    const count = this.hits.length
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!count) return
      event.preventDefault()
      if (this.list.hidden) {
        this.open(true)
        this.setActive(event.key === 'ArrowDown' ? 0 : count - 1)
      } else if (event.key === 'ArrowDown') this.setActive(Math.min(this.active + 1, count - 1))
      else this.setActive(this.active - 1)
    } else if (event.key === 'Enter') {
      if (this.active >= 0 && !this.list.hidden) {
        event.preventDefault()
        this.choose(this.active)
      } else this.run(false)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      if (!this.list.hidden) this.open(false)
      else {
        this.input.value = ''
        this.clear()
      }
    }
  }

  /** Announces the chosen hit; opens its url unless a listener cancels the event or the url is not http(s). */
  private choose(index: number) {
    const hit = this.hits[index]
    if (!hit) return
    this.setActive(index)
    const proceed = this.dispatchEvent(new CustomEvent('article-select', { detail: { hit }, bubbles: true, composed: true, cancelable: true }))
    if (!proceed || typeof hit.url !== 'string' || !hit.url) return
    try {
      const url = new URL(hit.url, document.baseURI)
      if (url.protocol === 'http:' || url.protocol === 'https:') location.assign(url.href)
    } catch {
      // an unparsable url: nothing to open
    }
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('article-search')) {
  customElements.define('article-search', ArticleSearch)
}
