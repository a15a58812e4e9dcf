/** Paths and temp directories shared by the build tests. */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

/** The project root: tests pass it as `cwd`, so report paths are stable. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const SEED = 'data/articles/putin-meets-syria-on-defense-industry.txt'
export const REUTERS_SAMPLE = 'tests/fixtures/reuters-sample.jsonl'
export const SCIFACT_SAMPLE = 'tests/fixtures/scifact-sample.jsonl'
export const MARKDOWN = 'tests/fixtures/markdown'

export const readText = (path: string): Promise<string> => readFile(join(ROOT, path), 'utf8')

/** The full Reuters corpus: the copy in `data/`, else `../shared/`; undefined if neither is there. */
export const REUTERS_FULL = ['data/reuters-21578/articles.jsonl', '../shared/corpora/reuters-21578/articles.jsonl'].find((path) =>
  existsSync(join(ROOT, path)),
)

/** A fresh temporary directory per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'index-build-test-'))
    dirs.push(dir)
    return dir
  }
}

/** Every article of a compiled index, by internal number (from its fragments). */
export async function articlesOf(out: string) {
  const { loadCompiled } = await import('../../index-build/load-compiled')
  return (await loadCompiled(out)).articles()
}

/** Every file under `dir`, as sorted relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises')
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1))
    .sort()
}
