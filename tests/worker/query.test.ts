import { describe, expect, it } from 'vitest'
import { parseQuery, positiveWords } from '../../src/query'

describe('parseQuery', () => {
  it('reads plain words as AND groups', () => {
    expect(parseQuery('oil prices')).toEqual({
      groups: [[{ kind: 'term', text: 'oil' }], [{ kind: 'term', text: 'prices' }]],
      excluded: [],
      notices: [],
    })
  })

  it('reads phrases, with straight or curly quotes', () => {
    const expected = { groups: [[{ kind: 'phrase', words: ['crude', 'oil'] }], [{ kind: 'term', text: 'opec' }]], excluded: [], notices: [] }
    expect(parseQuery('"crude oil" opec')).toEqual(expected)
    expect(parseQuery('“crude oil” opec')).toEqual(expected)
  })

  it('reads exclusions of words and phrases', () => {
    expect(parseQuery('oil -gasoline -"heating oil"')).toEqual({
      groups: [[{ kind: 'term', text: 'oil' }]],
      excluded: [{ kind: 'term', text: 'gasoline' }, { kind: 'phrase', words: ['heating', 'oil'] }],
      notices: [],
    })
  })

  it('joins OR neighbours into one group', () => {
    expect(parseQuery('opec OR saudi OR kuwait output').groups).toEqual([
      [{ kind: 'term', text: 'opec' }, { kind: 'term', text: 'saudi' }, { kind: 'term', text: 'kuwait' }],
      [{ kind: 'term', text: 'output' }],
    ])
  })

  it('scopes words and phrases to a field', () => {
    expect(parseQuery('title:opec Body:"oil prices"').groups).toEqual([
      [{ kind: 'term', text: 'opec', field: 'title' }],
      [{ kind: 'phrase', words: ['oil', 'prices'], field: 'body' }],
    ])
    expect(parseQuery('author:smith').groups).toEqual([[{ kind: 'term', text: 'author:smith' }]])
  })

  it('falls back to plain words on an unbalanced quote, and says so', () => {
    const tree = parseQuery('"crude oil prices')
    expect(tree.groups).toEqual([[{ kind: 'term', text: 'crude' }], [{ kind: 'term', text: 'oil' }], [{ kind: 'term', text: 'prices' }]])
    expect(tree.notices).toEqual(['unbalanced quote: searched the words without phrase syntax'])
  })

  it('treats a dangling OR as a word, and says so', () => {
    const tree = parseQuery('oil OR')
    expect(tree.groups).toEqual([[{ kind: 'term', text: 'oil' }], [{ kind: 'term', text: 'or' }]])
    expect(tree.notices).toHaveLength(1)
  })

  it('searches the excluded words when nothing else is left', () => {
    const tree = parseQuery('-gasoline')
    expect(tree.groups).toEqual([[{ kind: 'term', text: 'gasoline' }]])
    expect(tree.excluded).toEqual([])
    expect(tree.notices).toHaveLength(1)
  })

  it('keeps hyphenated names and apostrophes as one word', () => {
    expect(positiveWords(parseQuery('al-Assad Syria’s'))).toEqual(['al-Assad', 'Syria’s'])
  })

  it('never throws on syntax characters', () => {
    for (const input of ['', '"', '""', '-', '- -', 'OR', 'OR OR', 'title:', '-title:', '-""', '((a))', 'a:b:c', '"a" "b', '\u0000', '-"-"']) {
      expect(() => parseQuery(input)).not.toThrow()
    }
  })
})
