import { createHash } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIELD_BOOSTS, MAX_PACK_BYTES, MAX_PACKED_ARTICLE_BYTES, PACK_DICTIONARY_BYTES, PACK_MAGIC, packBoundaries, type Manifest, type StoredArticle } from '../../src/index-format'
import { loadCompiled } from '../../index-build/load-compiled'
import { buildIndex, type BuildOptions } from '../../index-build/build'
import { BuildError } from '../../index-build/errors'
import { formatReport } from '../../index-build/report'
import { sortArticles } from '../../index-build/write'
import { POSTINGS_CHUNK_BYTES, SMALL_POSTINGS_CHUNK_BYTES, postingsChunkBytes } from '../../index-build/compile'
import { articlePacks } from '../../index-build/compile/packs'
import { DEFAULT_CACHE_LIMITS } from '../../src/search-index'
import { lexiconData } from '../../index-build/suggest'
import type { LexiconData } from '../../src/suggest/lexicon'
import { articlesOf, listFiles, MARKDOWN, readText, REUTERS_FULL, REUTERS_SAMPLE, ROOT, SCIFACT_SAMPLE, SEED, useTempDirs } from './helpers'

const tempDir = useTempDirs()
const EPOCH = '1766534400' // 2025-12-24T00:00:00Z

async function build(options: Partial<BuildOptions>) {
  const out = await tempDir()
  const result = await buildIndex({ cwd: ROOT, out, sourceDateEpoch: EPOCH, ...options })
  const read = async <T>(name: string): Promise<T> => JSON.parse(await readFile(join(out, name), 'utf8')) as T
  return { result, out, read }
}

const sumsUp = (counts: { read: number; indexed: number; merged: number; rejected: number }) =>
  counts.read === counts.indexed + counts.merged + counts.rejected

describe('buildIndex on the Reuters sample', () => {
  it('counts every record once: indexed, merged or rejected', async () => {
    const { result } = await build({ paths: [REUTERS_SAMPLE] })
    const { report } = result
    expect(result.ok).toBe(true)
    expect(report.files).toEqual([{ file: REUTERS_SAMPLE, read: 38, indexed: 34, merged: 3, rejected: 1 }])
    expect(report.total).toEqual({ read: 38, indexed: 34, merged: 3, rejected: 1 })
    expect(sumsUp(report.total)).toBe(true)
    expect(result.manifest?.articleCount).toBe(34)
  })

  it('rejects the empty record (NEWID 12793) with file:line: reason', async () => {
    const { result } = await build({ paths: [REUTERS_SAMPLE] })
    expect(result.report.rejections).toEqual([{ file: REUTERS_SAMPLE, line: 35, reason: 'no title and no body' }])
    expect(formatReport(result.report)).toContain('tests/fixtures/reuters-sample.jsonl:35: no title and no body')
  })

  it('merges exact duplicates into the first seen, with the union of topics', async () => {
    const { result, out } = await build({ paths: [REUTERS_SAMPLE] })
    expect(result.report.merges).toEqual([
      { file: REUTERS_SAMPLE, line: 33, into: { id: '1971', file: REUTERS_SAMPLE, line: 32 } },
      { file: REUTERS_SAMPLE, line: 34, into: { id: '1971', file: REUTERS_SAMPLE, line: 32 } },
      { file: REUTERS_SAMPLE, line: 37, into: { id: '13320', file: REUTERS_SAMPLE, line: 36 } },
    ])
    const articles = await articlesOf(out)
    const byId = new Map(articles.map((article) => [article.id, article]))
    expect(byId.get('13320')?.topics).toEqual(['ship', 'crude'])
    expect(byId.get('1971')?.topics).toEqual(['interest', 'money-fx'])
    for (const merged of ['12456', '12471', '13542', '12793']) expect(byId.has(merged)).toBe(false)
    expect(articles.filter((article) => article.title === 'KUWAIT MAY RE-REGISTER GULF TANKERS - NEWSPAPER')).toHaveLength(1)
  })

  it('writes articles newest first, undated last, with ISO dates', async () => {
    const { read, out } = await build({ paths: [REUTERS_SAMPLE] })
    const articles = await articlesOf(out)
    expect((await read<Manifest>('manifest.json')).formatVersion).toBe(4)
    const dates = articles.map((article) => article.date)
    expect(dates.at(-1)).toBeNull()
    expect(articles.at(-1)?.id).toBe('17192')
    const dated = dates.slice(0, -1) as string[]
    expect(dated.every((date) => /^1987-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/.test(date))).toBe(true)
    expect([...dated].sort().reverse()).toEqual(dated)
  })

  it('lists every topic with its count, most frequent first, then by slug', async () => {
    const { result, read } = await build({ paths: [REUTERS_SAMPLE] })
    const manifest = await read<Manifest>('manifest.json')
    expect(manifest.topics).toEqual(result.report.topics)
    const crude = manifest.topics.find((topic) => topic.slug === 'crude')
    expect(crude).toEqual({ name: 'crude', slug: 'crude', count: 7 }) // 6 crude stories + the union of the merged pair
    const order = manifest.topics.map((topic) => [-topic.count, topic.slug] as const)
    expect([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))).toEqual(order)
  })

  it('makes topics searchable by name and slug', async () => {
    const { out } = await build({ paths: [REUTERS_SAMPLE] })
    const { engine, ids } = await loadCompiled(out)
    const hits = (await engine.search('crude', { fields: ['topics'] })).map((hit) => ids[hit.id]!)
    expect(hits).toContain('13320')
    expect(hits).toHaveLength(7)
  })
})

describe('buildIndex on other formats', () => {
  it('reads SciFact with --map id=_id,body=text', async () => {
    const { result, out } = await build({ paths: [SCIFACT_SAMPLE], fieldMap: { id: '_id', body: 'text' } })
    expect(result.report.total).toEqual({ read: 12, indexed: 12, merged: 0, rejected: 0 })
    const articles = await articlesOf(out)
    const first = JSON.parse((await readText(SCIFACT_SAMPLE)).split('\n')[0]!)
    const article = articles.find((a) => a.id === '4983')
    expect(article).toMatchObject({ title: first.title, body: first.text, date: null, topics: [], summary: '', source: '', url: '' })
    // undated, so in id order (code units: '18670' < '19238' < '33370' < '4983')
    expect(articles.map((a) => a.id)).toEqual([...articles.map((a) => a.id)].sort())
  })

  it('refuses an unknown --map target', async () => {
    await expect(buildIndex({ cwd: ROOT, paths: [SCIFACT_SAMPLE], fieldMap: { boyd: 'text' } as never, dryRun: true })).rejects.toThrow(
      new BuildError('--map: unknown target field "boyd" (known: id, title, summary, body, topics, date, url, source)'),
    )
  })

  it('reads Markdown and merges the BBC duplicate pair', async () => {
    const { result, out } = await build({ paths: [MARKDOWN] })
    expect(result.report.total).toEqual({ read: 3, indexed: 2, merged: 1, rejected: 0 })
    expect(result.report.merges).toEqual([
      { file: `${MARKDOWN}/bbc-sport-084.md`, line: 1, into: { id: 'bbc-sport-052', file: `${MARKDOWN}/bbc-sport-052.md`, line: 1 } },
    ])
    const articles = await articlesOf(out)
    expect(articles.map((a) => a.id)).toEqual(['bbc-politics-397', 'bbc-sport-052'])
  })

  it('skips README and unknown files, listing them', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'README.md'), await readText('tests/fixtures/README.md'))
    await writeFile(join(dir, 'LICENSE'), 'research use only\n')
    await writeFile(join(dir, 'seed.txt'), await readText(SEED))
    await writeFile(join(dir, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\n')
    const { result } = await build({ paths: [dir], cwd: dir })
    expect(result.report.skipped).toEqual([
      { file: 'LICENSE', reason: 'documentation, not an article', warn: false },
      { file: 'README.md', reason: 'documentation, not an article', warn: false },
      { file: 'qrels.tsv', reason: 'unknown file type', warn: true },
    ])
    expect(result.report.total.read).toBe(1)
    expect(formatReport(result.report)).toContain('qrels.tsv: warning: skipped: unknown file type')
    expect(result.ok).toBe(true)
  })
})

describe('problems', () => {
  async function wire(lines: (original: Record<string, unknown>[]) => Record<string, unknown>[]) {
    const dir = await tempDir()
    const originals = (await readText(REUTERS_SAMPLE)).split('\n').slice(0, 3).map((line) => JSON.parse(line))
    await writeFile(join(dir, 'wire.jsonl'), lines(originals).map((o) => JSON.stringify(o)).join('\n'))
    return dir
  }

  it('rejects a reused id of a different article, naming the first', async () => {
    const dir = await wire(([a, b]) => [a!, { ...b!, id: a!.id }])
    const { result } = await build({ paths: ['wire.jsonl'], cwd: dir })
    expect(result.report.rejections).toEqual([{ file: 'wire.jsonl', line: 2, reason: 'duplicate id "1" (first at wire.jsonl:1)' }])
    expect(result.report.total).toEqual({ read: 2, indexed: 1, merged: 0, rejected: 1 })
  })

  it('keeps an article with an invalid date, undated, and warns', async () => {
    const dir = await wire(([a]) => [{ ...a!, date: '31/02/2025' }])
    const { result, out } = await build({ paths: ['wire.jsonl'], cwd: dir })
    expect(result.ok).toBe(true)
    expect(formatReport(result.report)).toContain('wire.jsonl:1: warning: invalid date "31/02/2025": February 2025 has 28 days; date dropped')
    expect((await articlesOf(out))[0]?.date).toBeNull()
  })

  it('with strict, fails on a warning and writes nothing', async () => {
    const dir = await wire(([a]) => [{ ...a!, date: '31/02/2025' }])
    const out = join(dir, 'out')
    const result = await buildIndex({ paths: ['wire.jsonl'], cwd: dir, out, strict: true })
    expect(result.ok).toBe(false)
    expect(result.failures).toEqual(['--strict: 0 rejected record(s), 1 warning(s)'])
    await expect(readdir(out)).rejects.toThrow()
  })

  it('fails when nothing is indexed', async () => {
    const dir = await wire(([a]) => [{ ...a!, title: undefined, body: undefined }])
    const result = await buildIndex({ paths: ['wire.jsonl'], cwd: dir, out: join(dir, 'out') })
    expect(result.ok).toBe(false)
    expect(result.failures).toEqual(['no article was indexed'])
  })

  it('throws on a missing input path and on an unwritable output', async () => {
    await expect(buildIndex({ cwd: ROOT, paths: ['no/such/dir'] })).rejects.toThrow(new BuildError('input path "no/such/dir" does not exist'))
    const dir = await tempDir()
    await writeFile(join(dir, 'file'), '')
    await expect(buildIndex({ cwd: ROOT, paths: [SEED], out: join(dir, 'file', 'out') })).rejects.toThrow(/^cannot write the index to/)
  })
})

describe('output', () => {
  it('is byte-identical across builds with SOURCE_DATE_EPOCH', async () => {
    const paths = [REUTERS_SAMPLE, MARKDOWN, 'data/articles']
    const first = await build({ paths, reference: true, shards: 2 })
    const second = await build({ paths, reference: true, shards: 2 })
    const names = await listFiles(first.out)
    expect(await listFiles(second.out)).toEqual(names)
    for (const name of names) {
      const [a, b] = await Promise.all([readFile(join(first.out, name)), readFile(join(second.out, name))])
      expect(a.length, name).toBeGreaterThan(0)
      expect(a.equals(b), name).toBe(true)
    }
    const manifest = await first.read<Manifest>('manifest.json')
    expect(manifest.builtAt).toBe('2025-12-24T00:00:00.000Z')
    const hash = createHash('sha256')
    const derived = ['manifest.json', 'embedded.js', '.assetsignore']
    const indexFiles = names.filter((name) => !derived.includes(name) && !/^(reference|shard-\d+|embedded)\//.test(name))
    for (const name of indexFiles) hash.update(name).update('\0').update(await readFile(join(first.out, name)))
    expect(manifest.indexVersion).toBe(hash.digest('hex').slice(0, 16))
    expect(names.filter((name) => !name.includes('/'))).toEqual(['.assetsignore', 'docs.bin', 'embedded.js', 'ids.json', 'manifest.json', 'terms.bin'])
    expect(names).toEqual(expect.arrayContaining(['articles/0.json', 'postings/0.bin', 'reference/minisearch.json', 'shard-1/manifest.json']))
    // Each shard embeds its own startup files, the lexicon apart (it is the corpus's, at the root).
    const shardModule = await readFile(join(first.out, 'shard-1/embedded.js'), 'utf8')
    expect(shardModule).toContain('import file1 from "./terms.bin"')
    expect(shardModule).not.toContain('lexicon')
    expect((await readFile(join(first.out, 'shard-1/embedded/manifest.json.bin'))).equals(await readFile(join(first.out, 'shard-1/manifest.json')))).toBe(true)
    expect(names.filter((name) => name.endsWith('.assetsignore'))).toEqual(['.assetsignore'])
  })

  it('embeds the files a fresh isolate reads first in embedded.js, when they fit the budget', async () => {
    const { out, result } = await build({ paths: [REUTERS_SAMPLE] })
    expect(result.embedding?.embedded).toBe(true)
    const module = await readFile(join(out, 'embedded.js'), 'utf8')
    // Every file a Data module: the binary ones themselves, the JSON ones through byte-identical copies named *.bin.
    const imported = Object.fromEntries([...module.matchAll(/^import (file\d+) from "\.\/([^"]+)"$/gm)].map(([, binding, path]) => [binding!, path!]))
    const entries = [...module.matchAll(/^ {2}"([^"]+)": (file\d+),$/gm)].map(([, name, binding]) => [name!, imported[binding!]!])
    expect(entries).toEqual([
      ['manifest.json', 'embedded/manifest.json.bin'],
      ['terms.bin', 'terms.bin'],
      ['docs.bin', 'docs.bin'],
      ['ids.json', 'embedded/ids.json.bin'],
      ['suggest/lexicon.json', 'embedded/suggest-lexicon.json.bin'],
    ])
    for (const [name, path] of entries) expect((await readFile(join(out, path!))).equals(await readFile(join(out, name!))), name).toBe(true)
    expect(await readFile(join(out, '.assetsignore'), 'utf8')).toBe('embedded.js\nembedded/\n')
    expect(result.embedding!.gzipBytes).toBeGreaterThan(0)

    const over = await build({ paths: [REUTERS_SAMPLE], embedBudgetBytes: result.embedding!.gzipBytes - 1 })
    expect(over.result.embedding).toEqual({ embedded: false, gzipBytes: result.embedding!.gzipBytes })
    const fallback = await readFile(join(over.out, 'embedded.js'), 'utf8')
    expect(fallback).toMatch(/^export default undefined$/m)
    expect(fallback).not.toContain('import')
    expect((await build({ paths: [REUTERS_SAMPLE], embedBudgetBytes: 0 })).result.embedding?.embedded).toBe(false)
  })

  it('keeps the title list in the suggest lexicon only while it fits the budget', async () => {
    const { out, result, read } = await build({ paths: [REUTERS_SAMPLE] })
    const articles = await articlesOf(out)
    const titleBytes = Buffer.byteLength(JSON.stringify(articles.map((article) => article.title)))
    expect(result.lexicon).toEqual({ titles: true, titleBytes })
    expect((await read<LexiconData>('suggest/lexicon.json')).titles).toEqual(articles.map((article) => article.title))

    const fits = lexiconData(articles, { titlesBudgetBytes: titleBytes })
    const over = lexiconData(articles, { titlesBudgetBytes: titleBytes - 1 })
    expect(fits.summary).toEqual({ titles: true, titleBytes })
    expect(over.summary).toEqual({ titles: false, titleBytes })
    // Over the budget only the titles go: the surface forms stay, so didYouMean and /suggest still show words.
    expect(over.data).toEqual({ ...fits.data, titles: [] })
    expect(over.data.stems.length).toBeGreaterThan(0)
    expect(lexiconData(articles, { titlesBudgetBytes: 0 }).summary.titles).toBe(false)
  })

  it('replaces the whole out dir: no file of an older build remains', async () => {
    const out = await tempDir()
    await mkdir(join(out, 'articles'))
    await writeFile(join(out, 'index.json'), '{}')
    await writeFile(join(out, 'articles', '9999.json'), '{}')
    const result = await buildIndex({ cwd: ROOT, out, sourceDateEpoch: EPOCH, paths: ['data/articles'] })
    expect(result.ok).toBe(true)
    const names = await listFiles(out)
    expect(names).not.toContain('index.json')
    expect(names).not.toContain('articles/9999.json')
    expect(names).toContain('articles/0.json')
    expect(names.some((name) => name.startsWith('reference/'))).toBe(false)
  })

  it('loads in the engine and finds the seed for "putin syria"', async () => {
    const { out } = await build({ paths: ['data/articles'] })
    const { engine, ids } = await loadCompiled(out)
    const hits = await engine.search('putin syria', { combineWith: 'AND', boost: FIELD_BOOSTS })
    expect(hits.map((hit) => ids[hit.id])).toEqual(['putin-meets-syria-on-defense-industry'])
    expect(await engine.search('zelensky')).toEqual([]) // "Related News" titles are not indexed
  })

  it('sorts by date descending, undated last, then by id in code-unit order', () => {
    const article = (id: string, date: string | null): StoredArticle => ({
      id, date, title: id, summary: '', body: '', source: '', url: '', topics: [], related: [],
    })
    const sorted = sortArticles([
      article('b', null), article('a', null), article('Z', null),
      article('x', '2025-12-23'), article('y', '2025-12-24'), article('w', '2025-12-24T01:00:00+02:00'),
    ])
    expect(sorted.map((a) => a.id)).toEqual(['y', 'w', 'x', 'Z', 'a', 'b'])
  })
})

describe.runIf(REUTERS_FULL)('the full Reuters corpus', () => {
  it('has 242 exact duplicates merged and NEWID 12793 rejected', async () => {
    const result = await buildIndex({ cwd: ROOT, paths: [REUTERS_FULL!], dryRun: true })
    expect(result.report.total).toEqual({ read: 21578, indexed: 21335, merged: 242, rejected: 1 })
    expect(result.report.rejections).toEqual([{ file: REUTERS_FULL, line: 12793, reason: 'no title and no body' }])
    expect(result.report.warnings).toEqual([])
    expect(result.report.topics).toHaveLength(120)
  })
})

describe('postings chunk size', () => {
  it('is 256 KiB while all postings fit in the Worker\'s largest postings cache, 32 KiB past it', () => {
    const cache = DEFAULT_CACHE_LIMITS.postingsBytes
    expect(postingsChunkBytes(1)).toBe(POSTINGS_CHUNK_BYTES)
    expect(postingsChunkBytes(cache)).toBe(POSTINGS_CHUNK_BYTES)
    expect(postingsChunkBytes(cache + 1)).toBe(SMALL_POSTINGS_CHUNK_BYTES)
    expect(SMALL_POSTINGS_CHUNK_BYTES).toBeLessThan(POSTINGS_CHUNK_BYTES)
  })
})

describe('article packs', () => {
  it('group consecutive articles up to 2 MiB a pack, a larger one alone, and none past the 8 MiB budget', () => {
    const MiB = 1 << 20
    expect(packBoundaries([])).toEqual([])
    expect(packBoundaries([MiB, MiB, MiB])).toEqual([0, 2, 3])
    expect(packBoundaries([100, 3 * MiB, 100, 100])).toEqual([0, 1, 2, 4])
    expect(packBoundaries(Array(8).fill(MiB))).toEqual([0, 2, 4, 6, 8])
    expect(packBoundaries([...Array(8).fill(MiB), 1])).toEqual([])
    expect(MAX_PACK_BYTES).toBe(2 * MiB)
    expect(MAX_PACKED_ARTICLE_BYTES).toBe(8 * MiB)
  })

  it('hold each article as its fragment line, DEFLATE\'d with the dictionary, after a header naming the articles', async () => {
    const { out, read } = await build({ paths: [REUTERS_SAMPLE, MARKDOWN] })
    const { packs, localDocumentCount } = (await read<Manifest>('manifest.json')).index
    expect(packs).toMatchObject({ files: ['articles/pack-0.bin'], firstArticle: [0, localDocumentCount], dictionary: 'articles/dictionary.bin' })
    const pack = await readFile(join(out, packs.files[0]!))
    const dictionary = await readFile(join(out, packs.dictionary!))
    expect(dictionary.length).toBeGreaterThan(0)
    expect(dictionary.length).toBeLessThanOrEqual(PACK_DICTIONARY_BYTES)
    expect(packs.bytes).toEqual([pack.length])
    const word = (i: number) => pack.readUInt32LE(4 * i)
    expect([word(0), word(1), word(2)]).toEqual([PACK_MAGIC, 0, localDocumentCount])
    const data = 4 * (3 + localDocumentCount + 1)
    const articles = await articlesOf(out)
    expect(articles).toHaveLength(localDocumentCount)
    articles.forEach((article, n) => {
      const text = inflateRawSync(pack.subarray(data + word(3 + n), data + word(4 + n)), { dictionary }).toString()
      expect(text, `article ${n}`).toBe(JSON.stringify(article))
    })
    expect(data + word(3 + localDocumentCount)).toBe(pack.length)
  })

  it('compress better with the dictionary than without, and the same texts give the same bytes', async () => {
    const texts = (await articlesOf((await build({ paths: [REUTERS_SAMPLE] })).out)).map((article) => JSON.stringify(article))
    const withDictionary = articlePacks(texts).packs[0]!.length
    const alone = texts.reduce((sum, text) => sum + deflateRawSync(text, { level: 9 }).length, 0)
    expect(withDictionary).toBeLessThan(alone)
    expect(articlePacks(texts).packs[0]!.equals(articlePacks([...texts]).packs[0]!)).toBe(true)
  })

  it('are not written when the compressed articles are over the budget', () => {
    // Base64 of hashes compresses to about 3/4: 6 texts of 2 MiB are over 8 MiB, 3 are not.
    const noiseText = (i: number) => Buffer.concat(Array.from({ length: 3 << 14 }, (_, j) => createHash('sha256').update(`${i}:${j}`).digest())).toString('base64').slice(0, MAX_PACK_BYTES)
    const noise = (n: number) => Array.from({ length: n }, (_, i) => noiseText(i))
    expect(articlePacks(noise(3)).packs).toHaveLength(3)
    expect(articlePacks(noise(6))).toEqual({ packs: [], firstArticle: [], dictionary: null })
  })
})

// Keeps the temp-dir helper honest: directories made in one test are gone in the next.
describe('helpers', () => {
  let made = ''
  it('makes a directory', async () => {
    made = await tempDir()
    await mkdir(join(made, 'x'))
    expect((await readdir(made)).length).toBe(1)
  })
  it('removed it afterwards', async () => {
    await expect(readdir(made)).rejects.toThrow()
  })
})
