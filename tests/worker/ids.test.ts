/**
 * `IdList` (src/search-index/ids.ts): the article ids read from ids.json
 * without a string per id give every id as JSON.parse does, and lookups by
 * id still find every article.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { FILES } from '../../src/index-format'
import { assetSource, loadSearchIndex } from '../../src/search-index'
import { IdList } from '../../src/search-index/ids'

const bytesOf = (text: string) => new TextEncoder().encode(text)

describe('IdList', () => {
  it('gives every id of the bundled ids.json as JSON.parse does, and nothing outside it', async () => {
    const bytes = await assetSource(env.ASSETS).bytes(FILES.ids)
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as string[]
    const ids = IdList.parse(bytes)
    expect(ids.length).toBe(parsed.length)
    expect(parsed.length).toBeGreaterThan(20_000)
    for (let n = 0; n < parsed.length; n++) if (ids.at(n) !== parsed[n]) expect.fail(`id ${n}: ${ids.at(n)} against ${parsed[n]}`)
    expect([ids.at(-1), ids.at(parsed.length), ids.at(Number.NaN)]).toEqual([undefined, undefined, undefined])
  })

  it('decodes escapes, non-ASCII ids and JSON whitespace', () => {
    const values = ['plain', 'quote"inside', 'back\\slash\\', 'ends-with-\\"', 'tab\tand\nnewline', 'ünïcödé-ид', 'emoji-😀', '']
    for (const text of [JSON.stringify(values), JSON.stringify(values, null, 2), ` \n${JSON.stringify(values).replaceAll(',', ' ,\t')} \n`]) {
      const ids = IdList.parse(bytesOf(text))
      expect(Array.from({ length: ids.length }, (_, n) => ids.at(n))).toEqual(values)
    }
    expect(IdList.parse(bytesOf('[]')).length).toBe(0)
  })

  it('refuses a file that is not an array of strings', () => {
    for (const text of ['{"a":1}', '["a",1]', '["a"', '["a" "b"]', '["a"] x', '["unterminated]']) expect(() => IdList.parse(bytesOf(text)), text).toThrow(/ids\.json/)
  })

  it('finds every article by its id, and no article for an id the index lacks', async () => {
    const index = await loadSearchIndex(assetSource(env.ASSETS))
    for (let n = 0; n < index.ids.length; n++) if (index.numberOf(index.ids.at(n)!) !== n) expect.fail(`article ${n} (${index.ids.at(n)}) not found by its id`)
    for (const id of ['', 'no-such-article', '0', `${index.ids.at(0)}x`]) expect(index.numberOf(id), id).toBeUndefined()
  })
})
