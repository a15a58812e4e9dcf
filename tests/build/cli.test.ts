import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MARKDOWN, REUTERS_SAMPLE, ROOT, SCIFACT_SAMPLE, useTempDirs } from './helpers'

const tempDir = useTempDirs()

function cli(...args: string[]) {
  const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['index-build/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1766534400' },
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('index-build/cli.ts', () => {
  it('builds, prints the report and exits 0', async () => {
    const out = await tempDir()
    const run = cli(REUTERS_SAMPLE, MARKDOWN, '--out', out)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('tests/fixtures/reuters-sample.jsonl: read 38 = indexed 34 + merged 3 + rejected 1')
    expect(run.stdout).toContain('tests/fixtures/markdown/bbc-sport-084.md: read 1 = indexed 0 + merged 1 + rejected 0')
    expect(run.stdout).toContain('total: read 41 = indexed 36 + merged 4 + rejected 1')
    expect(run.stdout).toContain('tests/fixtures/reuters-sample.jsonl:35: no title and no body')
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).articleCount).toBe(36)
    expect(run.stdout).toMatch(/^embedded in the Worker script \(embedded\.js\): .*, 0\.\d\d MiB gzip$/m)
    expect(run.stdout).toMatch(/^article packs: 1 files, 0\.0 MiB compressed, held in memory by the Worker once loaded$/m)
  })

  it('with --no-embed, leaves everything to the assets', async () => {
    const out = await tempDir()
    const run = cli(REUTERS_SAMPLE, '--out', out, '--no-embed')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^not embedded in the script \(0\.\d\d MiB gzip, over the budget\)/m)
    expect(await readFile(join(out, 'embedded.js'), 'utf8')).toMatch(/^export default undefined$/m)
  })

  it('exits 1 on a missing path', async () => {
    const run = cli('no/such/articles', '--out', await tempDir())
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error: input path "no/such/articles" does not exist')
  })

  it('exits 1 on a bad --map', async () => {
    const run = cli(SCIFACT_SAMPLE, '--map', 'id=_id,boyd=text', '--out', await tempDir())
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('--map: unknown target field "boyd"')
  })

  it('with --strict, exits 1 on a rejection and leaves the previous index alone', async () => {
    const out = await tempDir()
    expect(cli(MARKDOWN, '--out', out).code).toBe(0)
    const before = await readFile(join(out, 'ids.json'))
    const run = cli(REUTERS_SAMPLE, '--strict', '--out', out)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('build failed: --strict: 1 rejected record(s), 0 warning(s)')
    expect((await readFile(join(out, 'ids.json'))).equals(before)).toBe(true)
  })

  it('with --quiet, prints only problems', async () => {
    const run = cli(REUTERS_SAMPLE, '--quiet', '--out', await tempDir())
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim()).toBe('tests/fixtures/reuters-sample.jsonl:35: no title and no body')
  })
})
