/** The widget's size budget: the built file, gzipped with node:zlib, is at most 10 KB. */
import { describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { buildWidget, GZIP_BUDGET } from '../../widget/build'
import served from '../../generated/widget'

describe('widget size', () => {
  it('is at most 10 KB gzip, built fresh from widget/article-search.ts', async () => {
    const code = await buildWidget()
    const gzip = gzipSync(code, { level: 9 }).length
    expect(GZIP_BUDGET).toBe(10 * 1024)
    expect(gzip).toBeLessThanOrEqual(GZIP_BUDGET)
  })

  it('is at most 10 KB gzip as the Worker serves it (generated/widget.ts), and that file is current', async () => {
    expect(gzipSync(served).length).toBeLessThanOrEqual(10 * 1024)
    expect(served).toBe(await buildWidget())
  })

  it('is one ES2020 IIFE without HTML parsing of anything', async () => {
    const code = await buildWidget()
    expect(code.trimEnd()).toMatch(/^"use strict";\(\(\)=>\{[\s\S]*\}\)\(\);$/)
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/)
  })
})
