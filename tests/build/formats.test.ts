import { describe, expect, it } from 'vitest'
import { isDocumentationFile, isRejection, parserFor, type RawRecord } from '../../index-build/formats'
import { parseJsonLines } from '../../index-build/formats/jsonl'
import { parseMarkdown } from '../../index-build/formats/markdown'
import { parseText } from '../../index-build/formats/text'
import { normalizeRecord, type NormalizedRecord } from '../../index-build/normalize'
import { topicSlug } from '../../index-build/topics'
import { MARKDOWN, readText, REUTERS_SAMPLE, SEED } from './helpers'

const SEED_SUMMARY =
  'Russian President Vladimir Putin met Syria’s foreign and defense ministers in Moscow on December 23, 2025, during an official visit. ' +
  'Talks covered defense-industry cooperation, military modernization, and economic ties as Russia adjusts relations after Assad’s fall.'

const SEED_RELATED = [
  { title: 'Ukraine Considers Referendum and Election Together', topic: 'Ukraine - Russia War', date: '2025-12-24' },
  { title: 'Zelensky Names Ukrainians’ Wish', topic: 'Ukraine - Russia War', date: '2025-12-24' },
  { title: 'Zelensky Unveils 20-Point Peace Framework', topic: 'Ukraine - Russia War', date: '2025-12-24' },
  { title: "Germany's AfD Accused of Gathering Intelligence For Kremlin", topic: 'Ukraine - Russia War', date: '2025-12-23' },
  { title: 'Assad’s Luxury Exile in Moscow', topic: 'Middle East', date: '2025-12-23' },
  { title: 'Israel Arms Druze After Assad', topic: 'Middle East', date: '2025-12-23' },
]

function normalizeOne(records: Iterable<unknown>): NormalizedRecord {
  const [record] = [...records] as RawRecord[]
  const result = normalizeRecord(record!)
  if ('reason' in result) throw new Error(result.reason)
  return result
}

describe('plain text (.txt), the seed layout', () => {
  it('reads the seed article', async () => {
    const text = await readText(SEED)
    const { article, warnings } = normalizeOne(parseText('articles/putin-meets-syria-on-defense-industry.txt', text, { fieldMap: {} }))
    expect(article.id).toBe('putin-meets-syria-on-defense-industry')
    expect(article.title).toBe('Putin Meets Syria on Defense Industry')
    expect(article.summary).toBe(SEED_SUMMARY)
    expect(article.date).toBe('2025-12-24')
    expect(article.source).toBe('Clash Report')
    expect(article.topics).toEqual([])
    expect(article.related).toEqual(SEED_RELATED)
    expect(warnings).toEqual([])
    expect(article.body.startsWith('President Vladimir Putin met Syria’s foreign and defense ministers')).toBe(true)
    expect(article.body.startsWith(article.title)).toBe(false)
    expect(article.body.endsWith('practical cooperation with Syria’s new leadership.')).toBe(true)
    expect(article.body).not.toMatch(/Related (News|Topics)/)
    expect(article.body).not.toContain('Israel Arms Druze')
    expect(article.body.split('\n')).toHaveLength(18) // lines 5–22 of the file
  })

  it('gives the same article with CRLF line ends and a BOM', async () => {
    const text = await readText(SEED)
    const plain = normalizeOne(parseText('seed.txt', text, { fieldMap: {} })).article
    const windows = normalizeOne(parseText('seed.txt', text.replace(/\n/g, '\r\n'), { fieldMap: {} })).article
    expect(windows).toEqual(plain)
  })

  it('keeps line 4 as body when it is not the title again', async () => {
    const lines = (await readText(SEED)).split('\n')
    lines.splice(3, 1) // the seed without its repeated title
    const { article } = normalizeOne(parseText('seed.txt', lines.join('\n'), { fieldMap: {} }))
    expect(article.body.startsWith('President Vladimir Putin met')).toBe(true)
    expect(article.title).toBe('Putin Meets Syria on Defense Industry')
  })

  it('reads topics under "Related Topics" and warns about a bad related date', async () => {
    const text = (await readText(SEED))
      .replace('Related Topics\n', 'Related Topics\nMiddle East\nUkraine - Russia War\n')
      .replace('23/12/2025\nAssad’s', '31/02/2025\nAssad’s')
    const { article, topics, warnings } = normalizeOne(parseText('seed.txt', text, { fieldMap: {} }))
    expect(topics).toEqual([
      { name: 'Middle East', slug: 'middle-east' },
      { name: 'Ukraine - Russia War', slug: 'ukraine-russia-war' },
    ])
    expect(article.topics).toEqual(['middle-east', 'ukraine-russia-war'])
    expect(article.body).not.toContain('Middle East')
    expect(article.related[3]).toEqual({ title: "Germany's AfD Accused of Gathering Intelligence For Kremlin", topic: 'Ukraine - Russia War', date: null })
    expect(warnings).toEqual([
      { line: 38, message: 'related news: invalid date "31/02/2025": February 2025 has 28 days; date dropped' },
    ])
  })

  it('warns when line 3 has an impossible date, and keeps the article undated', async () => {
    const text = (await readText(SEED)).replace('December 24, 2025Clash Report', 'February 30, 2025Clash Report')
    const { article, warnings } = normalizeOne(parseText('seed.txt', text, { fieldMap: {} }))
    expect(article.date).toBeNull()
    expect(article.source).toBe('Clash Report')
    expect(warnings).toEqual([{ line: 3, message: 'invalid date "February 30, 2025": February 2025 has 28 days; date dropped' }])
  })
})

describe('JSON Lines', () => {
  it('reads Reuters lines, ids from the data, dates to ISO', async () => {
    const results = [...parseJsonLines('reuters-sample.jsonl', await readText(REUTERS_SAMPLE), { fieldMap: {} })]
    expect(results).toHaveLength(38)
    const first = normalizeOne(results.slice(0, 1))
    expect(first.article).toMatchObject({ id: '1', title: 'BAHIA COCOA REVIEW', date: '1987-02-26T15:01:01.790', source: 'Reuters', topics: ['cocoa'] })
  })

  it('maps fields, rejects broken lines with their numbers, skips blank lines', async () => {
    const lines = (await readText(REUTERS_SAMPLE)).split('\n').slice(0, 3)
    const broken = lines[1]!.slice(0, 40) // a line cut short
    const text = [lines[0], '', broken, '[1, 2]', lines[2]!.replace('"BAHIA', '"X')].join('\n')
    const results = [...parseJsonLines('sample.jsonl', text, { fieldMap: { body: 'title' } })]
    expect(results.map((result) => result.line)).toEqual([1, 3, 4, 5])
    expect(isRejection(results[1]!) && results[1].reason).toMatch(/^invalid JSON: /)
    expect(results[2]).toEqual({ line: 4, reason: 'not a JSON object but an array' })
    const mapped = normalizeOne(results.slice(0, 1)).article
    expect(mapped.body).toBe('BAHIA COCOA REVIEW')
  })

  it('rejects wrong field types with the field name', async () => {
    const [line] = (await readText(REUTERS_SAMPLE)).split('\n')
    const object = JSON.parse(line!)
    const cases: [Record<string, unknown>, string][] = [
      [{ ...object, title: 1987 }, 'field "title" must be a string, got a number'],
      [{ ...object, topics: ['cocoa', 7] }, 'field "topics" must be a string or an array of strings, got an array'],
      [{ ...object, id: { newid: 1 } }, 'field "id" must be a string or a number, got an object'],
      [{ ...object, date: 19870226 }, 'field "date" must be a string, got a number'],
    ]
    for (const [value, reason] of cases) {
      const [record] = [...parseJsonLines('s.jsonl', JSON.stringify(value), { fieldMap: {} })]
      expect(normalizeRecord(record as RawRecord)).toEqual({ reason })
    }
    const [mapped] = [...parseJsonLines('s.jsonl', JSON.stringify({ ...object, text: 5 }), { fieldMap: { body: 'text' } })]
    expect(normalizeRecord(mapped as RawRecord)).toEqual({ reason: 'field "body" (source field "text") must be a string, got a number' })
  })

  it('derives <stem>-<line> ids when there is none, and turns numeric ids into strings', async () => {
    const [line] = (await readText(REUTERS_SAMPLE)).split('\n')
    const { id, ...rest } = JSON.parse(line!)
    const text = `\n${JSON.stringify(rest)}\n${JSON.stringify({ ...rest, id: 42 })}`
    const results = [...parseJsonLines('feeds/wire.jsonl', text, { fieldMap: {} })]
    expect(id).toBe('1')
    expect(results.map((result) => normalizeOne([result]).article.id)).toEqual(['wire-2', '42'])
  })
})

describe('Markdown with front matter', () => {
  it('reads front matter and body', async () => {
    const text = await readText(`${MARKDOWN}/bbc-politics-397.md`)
    const { article, topics } = normalizeOne(parseMarkdown('bbc-politics-397.md', text, { fieldMap: {} }))
    expect(article).toMatchObject({ id: 'bbc-politics-397', title: 'Blunkett hints at election call', source: 'BBC News', topics: ['politics'], date: null, summary: '', url: '' })
    expect(topics).toEqual([{ name: 'politics', slug: 'politics' }])
    expect(article.body.startsWith('Ex-Home Secretary David Blunkett has given fresh clues')).toBe(true)
    expect(article.body).not.toContain('---')
  })

  it('takes the id from the file name when the front matter has none', async () => {
    const text = await readText(`${MARKDOWN}/bbc-sport-084.md`)
    expect(normalizeOne(parseMarkdown('markdown/bbc-sport-084.md', text, { fieldMap: {} })).article.id).toBe('bbc-sport-084')
  })

  it('keeps YAML dates as written, and reads description/topics aliases', async () => {
    const text = (await readText(`${MARKDOWN}/bbc-politics-397.md`)).replace(
      'source: "BBC News"\n',
      'source: "BBC News"\ndate: 2005-04-01T10:30:00\ndescription: "Election clues"\ntopics: UK Politics\n',
    )
    const { article } = normalizeOne(parseMarkdown('a.md', text, { fieldMap: {} }))
    expect(article.date).toBe('2005-04-01T10:30:00')
    expect(article.summary).toBe('Election clues')
    expect(article.topics).toEqual(['uk-politics'])
  })
})

describe('registry and topics', () => {
  it('maps extensions to parsers and knows documentation files', () => {
    expect(parserFor('a/b.TXT')).toBe(parseText)
    expect(parserFor('a.ndjson')).toBe(parseJsonLines)
    expect(parserFor('a.markdown')).toBe(parseMarkdown)
    expect(parserFor('a.csv')).toBeUndefined()
    expect(['README.md', 'readme.txt', 'LICENSE', 'LICENSE-MIT'].map(isDocumentationFile)).toEqual([true, true, true, true])
    expect(isDocumentationFile('readmeister.md')).toBe(false)
  })

  it('slugs topics', () => {
    expect(topicSlug('Ukraine - Russia War')).toBe('ukraine-russia-war')
    expect(topicSlug('money-fx')).toBe('money-fx')
    expect(topicSlug('Middle East')).toBe('middle-east')
  })
})
