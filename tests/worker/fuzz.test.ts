import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import app from '../../src/index'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERROR_RESPONSE, SEARCH_RESPONSE } from '../../src/api-schema'

/**
 * Property: whatever the query string, /search answers a 200 with a body that
 * fits the response schema, or a 400 with an error body — never a 500 or a
 * hang — and the same request gives the same answer twice.
 */

const SYNTAX = ['"', '“', '”', '-', ' OR ', 'OR', ':', 'title:', 'body:', '*', '?', '(', ')', '[', ']', '\\', '^', '$', '.', '+', '|', '{', '}', '%', '&', '=', '#', '\u0000', '\u001f', '\u200b', '\ufeff', '__proto__', 'constructor']

/** Percent-encodes every code unit, so lone surrogates become invalid UTF-8 rather than an exception. */
function encode(value: string): string {
  let out = ''
  for (const char of value) {
    const code = char.codePointAt(0)!
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`
    else out += encodeURIComponent(char)
  }
  return out
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom(...SYNTAX, 'oil', 'prices', 'crude', 'opec', 'reuter', 'wheat'), { maxLength: 12 }).map((parts) => parts.join(' ')),
  fc.string({ maxLength: 5 }).map((s) => s.repeat(60)),
  fc.integer({ min: -5, max: 200_000 }).map(String),
)

const rawValue = fc.oneof(
  text.map(encode),
  fc.constantFrom('%', '%ZZ', '%FF', '%C0%AF', '%ED%A0%80', '%00', '+', '%2B', '%25', '1e3', '0x10', ' 5', '5 ', '-0', '', '%E2%80'),
)

const parameter = fc.tuple(fc.constantFrom('q', 'q', 'q', 'topic', 'topic', 'limit', 'offset', 'sort', 'Q', 'x', '__proto__', ''), rawValue)

const queryString = fc.array(parameter, { minLength: 0, maxLength: 6 }).map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&'))

/** The Worker's own fetch handler, called in the isolate (no service-binding hop per request). */
async function ask(url: string): Promise<Response> {
  const ctx = createExecutionContext()
  const started = Date.now()
  const response = await app.fetch(new Request(url), env, ctx)
  await waitOnExecutionContext(ctx)
  const elapsed = Date.now() - started
  if (elapsed > 250) console.warn(`slow fuzz request: ${elapsed} ms ${url.slice(0, 200)}`)
  return response
}

describe('fuzzing /search', () => {
  it('answers 200 with a valid body or 400 with an error body, the same way twice', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const url = `http://search.test/search?${query}`
        const first = await ask(url)
        const firstBody = await first.text()
        expect([200, 400], `${url} → ${first.status} ${firstBody.slice(0, 200)}`).toContain(first.status)
        const json = JSON.parse(firstBody)
        if (first.status === 200) SEARCH_RESPONSE.parse(json)
        else ERROR_RESPONSE.parse(json)
        const second = await ask(url)
        expect(second.status).toBe(first.status)
        expect(await second.text()).toBe(firstBody)
      }),
      { numRuns: 2000, seed: 20261126, endOnFailure: true },
    )
  }, 900_000)
})
