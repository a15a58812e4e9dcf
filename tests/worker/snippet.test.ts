import { describe, expect, it } from 'vitest'
import { escapeHtml, snippet } from '../../src/snippet'
import { analyze } from '../../src/analyzer'

const REUTERS = `Crude oil prices rallied today, moving over 17.00 dlrs a barrel because of Saudi Arabia's determined effort to support prices, analysts said.`

describe('snippet', () => {
  it('marks stemmed matches and escapes the rest', () => {
    expect(snippet(REUTERS, new Set(analyze('oil price')))).toBe(
      'Crude <mark>oil</mark> <mark>prices</mark> rallied today, moving over 17.00 dlrs a barrel because of Saudi Arabia&#39;s determined effort to support <mark>prices</mark>, analysts said.',
    )
  })

  it('picks the window with the most matches and marks the cut with ellipses', () => {
    const result = snippet(REUTERS, new Set(analyze('analysts')), { words: 5 })
    expect(result).toBe('… to support prices, <mark>analysts</mark> said.')
  })

  it('escapes markup in the source text', () => {
    expect(snippet('<img src=x onerror=alert(1)> oil', new Set(['oil']))).toBe('&lt;img src=x onerror=alert(1)&gt; <mark>oil</mark>')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})
