/**
 * The shards-only build (`index-build/shards.ts`): its statistics pass counts
 * as MiniSearch does, its check catches a disagreement, and its shards are
 * byte for byte those that `npm test` builds with `--shards 4` (which
 * `tests/e2e/sharded.test.ts` shows rank as the single index does).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import MiniSearch from 'minisearch'
import { describe, expect, it } from 'vitest'
import { MAX_INPUT_BYTES, checkInputSize, collectArticles } from '../../index-build/collect'
import { corpusStatistics } from '../../index-build/compile'
import { BuildError } from '../../index-build/errors'
import { listInputs } from '../../index-build/inputs'
import { checkShard, countStatistics } from '../../index-build/shards'
import { indexedDocument, sortArticles } from '../../index-build/write'
import { IndexedFields, MINISEARCH_OPTIONS, type IndexedDocument } from '../../src/index-format'
import { LEXICON_FILE } from '../../src/suggest/lexicon'
import { REUTERS_SAMPLE, ROOT, SEED, useTempDirs } from './helpers'

const tempDir = useTempDirs()

async function sample() {
  const { files } = await listInputs([REUTERS_SAMPLE, SEED], ROOT)
  const collected = await collectArticles(files, { fieldMap: {} })
  const articles = sortArticles(collected.articles)
  const miniSearch = new MiniSearch<IndexedDocument>(MINISEARCH_OPTIONS)
  articles.forEach((article, n) => miniSearch.add(indexedDocument(article, n, collected.topics)))
  return { articles, topics: collected.topics, json: miniSearch.toJSON() }
}

function cli(...args: string[]) {
  const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['index-build/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

describe('countStatistics (pass 1)', () => {
  it('counts the dictionary, document frequencies, N and average field lengths as MiniSearch does', async () => {
    const { articles, topics, json } = await sample()
    const progress: [number, number][] = []
    const counted = countStatistics(articles, topics, (done, total) => progress.push([done, total]))
    expect(progress.at(-1)).toEqual([articles.length, articles.length])
    const { fieldLengths, ...statistics } = counted
    expect(statistics).toEqual(corpusStatistics(json, articles))
    // The running mean is the same double, not just close.
    const fieldIds = IndexedFields.map((field) => json.fieldIds[field]!)
    expect(statistics.averageFieldLength).toStrictEqual(fieldIds.map((id) => json.averageFieldLength[id]))
    expect(statistics.terms.length).toBeGreaterThan(1000)
    for (const [shortId, lengths] of Object.entries(json.fieldLength)) {
      const n = json.documentIds[shortId] as number
      expect([...fieldLengths.subarray(n * IndexedFields.length, (n + 1) * IndexedFields.length)]).toEqual(fieldIds.map((id) => lengths[id]))
    }
  })

  it('fails the build when MiniSearch indexed what the pass did not count', async () => {
    const { articles, topics, json } = await sample()
    const counted = countStatistics(articles, topics)
    const termIndex = new Map(counted.terms.map((term, t) => [term, t]))
    const dfSeen = () => new Uint32Array(counted.df.length)
    expect(() => checkShard(json, counted, termIndex, dfSeen())).not.toThrow()

    const lengths = Uint32Array.from(counted.fieldLengths)
    lengths[3 * IndexedFields.length + IndexedFields.indexOf('body')]! += 1
    expect(() => checkShard(json, { ...counted, fieldLengths: lengths }, termIndex, dfSeen())).toThrow(/body of document 3 has length \d+, counted \d+/)

    const missing = new Map(termIndex)
    missing.delete('opec')
    expect(() => checkShard(json, counted, missing, dfSeen())).toThrow(new BuildError('statistics pass and MiniSearch disagree: MiniSearch indexed "opec", not counted'))
  })
})

describe('--shards-only', () => {
  it('writes the shards of npm test\'s --shards 4 build, byte for byte, each with the corpus lexicon', async () => {
    const built = join(ROOT, 'generated/assets')
    expect(existsSync(join(built, 'shard-3/manifest.json')), 'npm test builds generated/assets with --shards 4').toBe(true)
    const out = await tempDir()
    const run = cli('--out', out, '--shards', '4', '--shards-only')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('total: read 21579 = indexed 21336 + merged 242 + rejected 1')
    expect(run.stdout).toMatch(/^wrote .*: shard-0\/ \(\d+ files\) .*; 5334 \+ 5334 \+ 5334 \+ 5334 articles in 4 shards, in /m)
    expect(readdirSync(out).sort()).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3', 'suggest'])

    // Surfaces as the single index's lexicon, without its titles.
    const single = JSON.parse(readFileSync(join(built, LEXICON_FILE), 'utf8'))
    const lexicon = readFileSync(join(out, LEXICON_FILE), 'utf8')
    expect(JSON.parse(lexicon)).toEqual({ ...single, titles: [] })

    const manifestOf = (dir: string) => {
      const { indexVersion, builtAt, ...rest } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
      return rest
    }
    for (let i = 0; i < 4; i++) {
      const ours = join(out, `shard-${i}`)
      const theirs = join(built, `shard-${i}`)
      const expected = filesUnder(theirs).filter((file) => !file.startsWith('embedded/manifest'))
      // Its own .assetsignore and lexicon: each shard directory deploys as one Worker's assets.
      expect(filesUnder(ours).filter((file) => !file.startsWith('embedded/manifest'))).toEqual([...expected, '.assetsignore', LEXICON_FILE].sort())
      expect(readFileSync(join(ours, LEXICON_FILE), 'utf8')).toBe(lexicon)
      expect(manifestOf(ours)).toEqual(manifestOf(theirs))
      for (const file of expected.filter((name) => name !== 'manifest.json')) {
        expect(readFileSync(join(ours, file)).equals(readFileSync(join(theirs, file))), `shard-${i}/${file}`).toBe(true)
      }
    }
  }, 180_000)

  it('needs --shards and refuses --reference', async () => {
    const out = await tempDir()
    expect(cli(REUTERS_SAMPLE, '--out', out, '--shards-only')).toMatchObject({ code: 1, stderr: 'error: --shards-only needs --shards K (1 to 64)\n' })
    expect(cli(REUTERS_SAMPLE, '--out', out, '--shards', '2', '--shards-only', '--reference')).toMatchObject({
      code: 1,
      stderr: "error: --reference writes the single index's MiniSearch JSON, which --shards-only never builds\n",
    })
  })
})

describe('input size', () => {
  it('names a file too large to read whole, and says what to do', () => {
    expect(() => checkInputSize('big.jsonl', MAX_INPUT_BYTES)).not.toThrow()
    expect(() => checkInputSize('big.jsonl', MAX_INPUT_BYTES + 1)).toThrow(BuildError)
    expect(() => checkInputSize('big.jsonl', MAX_INPUT_BYTES + 1)).toThrow(/^big\.jsonl: 536870889 bytes, over the 536870888 bytes \(512 MiB\) one input file may have; split it/)
  })
})
