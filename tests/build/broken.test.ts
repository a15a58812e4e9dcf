import { spawnSync } from 'node:child_process'
import { mkdir, readFile, symlink, writeFile, copyFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildIndex } from '../../index-build/build'
import { MAX_ARTICLE_CHARS, collectArticles } from '../../index-build/collect'
import { listInputs } from '../../index-build/inputs'
import { formatReport } from '../../index-build/report'
import { ROOT, SEED, useTempDirs } from './helpers'

/**
 * The corpus of broken inputs in tests/fixtures/broken (cut from real
 * Reuters lines, then broken on purpose; see tests/fixtures/README.md), plus
 * a 50 MB file and a symbolic link loop made at test time. Each case has its
 * exact report line, and the counts always add up.
 */
const BROKEN = 'tests/fixtures/broken'

async function report(paths: string[]) {
  const result = await buildIndex({ cwd: ROOT, paths, dryRun: true })
  return { result, lines: formatReport(result.report) }
}

describe('the build under broken input', () => {
  it('names the file, line and reason of every broken record', async () => {
    const { lines } = await report([BROKEN])
    const invalidAt = (await readFile(join(ROOT, BROKEN, 'invalid-utf8.jsonl'))).indexOf(0xff)
    expect(lines).toEqual(
      expect.arrayContaining([
        `${BROKEN}/binary.jsonl:1: binary file (NUL byte at offset 3), not text`,
        `${BROKEN}/duplicate-ids.jsonl:2: duplicate id "13" (first at ${BROKEN}/duplicate-ids.jsonl:1)`,
        `${BROKEN}/invalid-utf8.jsonl:2: invalid UTF-8 at line 2, byte offset ${invalidAt}`,
        `${BROKEN}/truncated.jsonl:2: invalid JSON: Unterminated string in JSON at position 685`,
        `${BROKEN}/wrong-type.jsonl:1: field "title" must be a string, got a number`,
        `${BROKEN}/wrong-type.jsonl:2: field "topics" must be a string or an array of strings, got an object`,
        `${BROKEN}/bad-dates.jsonl:1: warning: unreadable date "the 3rd of March 1987"; date dropped`,
        `${BROKEN}/bad-dates.jsonl:2: warning: invalid date "31/02/2025": February 2025 has 28 days; date dropped`,
      ]),
    )
  })

  it('keeps what is sound: the good lines around a bad one, a BOM file, an article without a title', async () => {
    const { lines } = await report([BROKEN])
    const { files } = await listInputs([BROKEN], ROOT)
    const { articles } = await collectArticles(files, { fieldMap: {} })
    expect(lines).toContain(`${BROKEN}/invalid-utf8.jsonl: read 3 = indexed 2 + merged 0 + rejected 1`)
    expect(lines).toContain(`${BROKEN}/bom.jsonl: read 1 = indexed 1 + merged 0 + rejected 0`)
    expect(lines).toContain(`${BROKEN}/missing-title.jsonl: read 1 = indexed 1 + merged 0 + rejected 0`)
    const ids = new Map(articles.map((article) => [article.id, article]))
    expect(ids.get('4')!.title).toMatch(/^[A-Z]/) // the BOM is not part of the first field
    expect(ids.get('9')!.title).toBe('')
    expect(ids.get('9')!.body.length).toBeGreaterThan(0)
    expect(ids.get('10')!.date).toBeNull()
    expect(ids.get('11')!.date).toBeNull()
  })

  it('accounts for every input: read = indexed + merged + rejected, per file and in total', async () => {
    const { result } = await report([BROKEN])
    for (const counts of [...result.report.files, result.report.total]) {
      expect(counts.read).toBe(counts.indexed + counts.merged + counts.rejected)
    }
    expect(result.report.total).toEqual({ read: 14, indexed: 8, merged: 0, rejected: 6 })
  })

  const tempDir = useTempDirs()

  it('rejects a 50 MB article by name instead of indexing it', async () => {
    const dir = await tempDir()
    const seed = await readFile(join(ROOT, SEED), 'utf8')
    const [head, ...rest] = seed.split('\nRelated Topics')
    const huge = `${head}\n${head!.repeat(Math.ceil(50e6 / head!.length))}\nRelated Topics${rest.join('\nRelated Topics')}`
    await writeFile(join(dir, 'huge.txt'), huge)
    await copyFile(join(ROOT, SEED), join(dir, 'seed.txt'))
    const result = await buildIndex({ cwd: ROOT, paths: [dir], dryRun: true })
    const file = relative(ROOT, join(dir, 'huge.txt'))
    const rejection = formatReport(result.report).find((line) => line.startsWith(`${file}:1: article of `))
    expect(rejection).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:1: article of [\\d,]+ characters is over the limit of ${MAX_ARTICLE_CHARS.toLocaleString('en-US')}$`))
    expect(result.report.total).toEqual({ read: 2, indexed: 1, merged: 0, rejected: 1 })
  }, 120_000)

  it('reports a symbolic link loop and reads each file once', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'feed'))
    await copyFile(join(ROOT, BROKEN, 'bom.jsonl'), join(dir, 'feed', 'articles.jsonl'))
    await symlink('..', join(dir, 'feed', 'loop'))
    const result = await buildIndex({ cwd: ROOT, paths: [dir], dryRun: true })
    expect(formatReport(result.report)).toContain(`${relative(ROOT, join(dir, 'feed', 'loop'))}: warning: skipped: symbolic link loop: leads back to a folder already read`)
    expect(result.report.total).toEqual({ read: 1, indexed: 1, merged: 0, rejected: 0 })
  })

  it('fails with exit 1 and a summary in --strict mode, and writes nothing', async () => {
    const out = await tempDir()
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['index-build/cli.ts', BROKEN, '--strict', '--out', join(out, 'assets')], { cwd: ROOT, encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(`${run.stdout}${run.stderr}`).toContain('total: read 14 = indexed 8 + merged 0 + rejected 6')
    expect(`${run.stdout}${run.stderr}`).toMatch(/strict/i)
    expect(spawnSync('ls', [out], { encoding: 'utf8' }).stdout.trim()).toBe('')
  }, 60_000)
})
