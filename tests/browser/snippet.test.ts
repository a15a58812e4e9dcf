/** The widget's snippet parser, in Node: runs of text and <mark>, entities decoded, nothing parsed as HTML. */
import { describe, expect, it } from 'vitest'
import { decodeEntities, rangeRuns, snippetRuns } from '../../widget/snippet'

describe('snippetRuns', () => {
  it('splits the API snippet into text and marked runs and decodes the five entities the API escapes', () => {
    // The shape of a real answer (README: q=oil+prices&topic=crude).
    expect(snippetRuns('… <mark>oil</mark> <mark>pricing</mark>, said &quot;Petroleum&quot; &amp; &lt;CGS&gt; it&#39;s')).toEqual([
      ['… ', false],
      ['oil', true],
      [' ', false],
      ['pricing', true],
      [', said "Petroleum" & <CGS> it\'s', false],
    ])
  })

  it('keeps any other tag-like text as literal text', () => {
    const runs = snippetRuns('<img src=x onerror="alert(1)"><mark>a</mark>&lt;script&gt;')
    expect(runs).toEqual([
      ['<img src=x onerror="alert(1)">', false],
      ['a', true],
      ['<script>', false],
    ])
  })

  it('decodes numeric entities and leaves unknown ones as they are', () => {
    expect(decodeEntities('&#8217; &#x2019; &bogus; &#0; &amp;amp;')).toBe('’ ’ &bogus; &#0; &amp;')
  })
})

describe('rangeRuns (for the API\'s titleHighlights)', () => {
  it('marks [start, end) ranges, sorted, clipped and without overlap', () => {
    expect(rangeRuns('oil and gas prices', [[12, 18], [0, 3], [1, 2], [16, 99]])).toEqual([
      ['oil', true],
      [' and gas ', false],
      ['prices', true],
    ])
  })

  it('skips ranges that are not numbers, keeping the whole text', () => {
    expect(rangeRuns('oil prices', [[Number.NaN, 3], ['x', 'y'] as unknown as [number, number], [4, 10]])).toEqual([
      ['oil ', false],
      ['prices', true],
    ])
  })
})
