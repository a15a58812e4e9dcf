import { describe, expect, it } from 'vitest'
import { getJson } from './helpers'

const BAD_REQUESTS: [string, string, RegExp][] = [
  ['/search?q=oil&limit=abc', 'limit', /integer from 1 to 20/],
  ['/search?q=oil&limit=100000', 'limit', /integer from 1 to 20/],
  ['/search?q=oil&limit=21', 'limit', /integer from 1 to 20/],
  ['/search?q=oil&limit=0', 'limit', /integer from 1 to 20/],
  ['/search?q=oil&limit=1.5', 'limit', /integer from 1 to 20/],
  ['/search?q=oil&limit=10&limit=20', 'limit', /only once/],
  ['/search?q=oil&offset=-1', 'offset', /integer from 0 to 1000/],
  ['/search?q=oil&offset=1001', 'offset', /integer from 0 to 1000/],
  ['/search?q=oil&topic=no-such-topic', 'topic', /GET \/topics/],
  ['/search?q=oil&topic=__proto__', 'topic', /GET \/topics/],
  [`/search?q=${'a'.repeat(10_000)}`, 'q', /at most 200 characters/],
  [`/search?q=${Array.from({ length: 33 }, (_, i) => `w${i}`).join('+')}`, 'q', /too many search terms/],
  [`/search?q=${encodeURIComponent('"crude oil" "oil prices" "opec output" "saudi arabia"')}`, 'q', /too many quoted phrases; allowed: .*3 quoted phrases/],
  [`/search?q=${encodeURIComponent('"crude oil" -"oil prices" "opec output" -"heating oil"')}`, 'q', /too many quoted phrases/],
  ['/search?q=oil&q=gas', 'q', /only once/],
  ['/search?query=oil', 'query', /q, topic, limit, offset/],
  ['/topics?limit=3', 'limit', /.+/],
]

describe('bad parameters', () => {
  it.each(BAD_REQUESTS)('%s → 400 naming %s', async (path, parameter, allowed) => {
    const { status, headers, body } = await getJson(path)
    expect(status).toBe(400)
    expect(headers.get('content-type')).toMatch(/application\/json/)
    expect(body.error).toMatchObject({ status: 400, code: 'invalid_parameter', parameter })
    expect(`${body.error.message} ${body.error.allowed}`).toMatch(allowed)
    expect(JSON.stringify(body).length).toBeLessThan(600)
  })

  it('accepts the limits themselves', async () => {
    expect((await getJson('/search?q=oil&limit=20&offset=1000')).status).toBe(200)
    expect((await getJson(`/search?q=${'a'.repeat(200)}`)).status).toBe(200)
    // Three phrases, and any number of one-word quotes (an exact word, no position check).
    expect((await getJson(`/search?q=${encodeURIComponent('"crude oil" -"oil prices" "opec output" "oil" "gas"')}`)).status).toBe(200)
  })
})
