import { SELF, env } from 'cloudflare:test'
import { assetSource, type ArtefactSource } from '../../src/search-index'
import { SEARCH_LIMITS } from '../../src/params'
import { laterPages } from '../paging'

/** GET a path of the Worker under test and parse its JSON body. */
export async function getJson<T = any>(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await SELF.fetch(`http://search.test${path}`, init)
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

export const SEED_ID = 'putin-meets-syria-on-defense-industry'

/**
 * {@link getJson} for a `/search` path whose `limit` may be over the API's
 * page cap (`SEARCH_LIMITS.maxLimit`): the pages of the largest allowed
 * `limit` that cover it, from its `offset`, fetched one after another. The
 * body is the first page's with the hits of all of them, so a test can look
 * at the first 100 hits of a query as a client paging through them would.
 */
export async function getPages(path: string): Promise<{ status: number; headers: Headers; body: any }> {
  const url = new URL(path, 'http://search.test')
  const limit = Number(url.searchParams.get('limit') ?? SEARCH_LIMITS.defaultLimit)
  if (!(limit > SEARCH_LIMITS.maxLimit)) return getJson(path)
  const offset = Number(url.searchParams.get('offset') ?? 0)
  const page = (from: number, size: number) => {
    url.searchParams.set('limit', String(size))
    url.searchParams.set('offset', String(from))
    return getJson(`${url.pathname}${url.search}`)
  }
  const first = await page(offset, SEARCH_LIMITS.maxLimit)
  if (first.status !== 200) return first
  const hits = [...first.body.hits]
  for (const [from, size] of laterPages(offset, limit, first.body.total)) {
    const next = await page(from, size)
    if (next.status !== 200) return next
    hits.push(...next.body.hits)
  }
  return { ...first, body: { ...first.body, hits } }
}

/** The Worker's assets as an artefact source that records every file read (under `prefix`: a shard's). */
export function countingSource(prefix = ''): ArtefactSource & { reads: string[] } {
  const inner = assetSource(env.ASSETS)
  const reads: string[] = []
  return {
    reads,
    json: (name) => (reads.push(name), inner.json(prefix + name)),
    bytes: (name) => (reads.push(name), inner.bytes(prefix + name)),
  }
}
