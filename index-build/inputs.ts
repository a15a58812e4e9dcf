/**
 * Input discovery: command-line paths → the ordered list of files to read.
 *
 * - A directory is walked recursively; a file path is taken as it is.
 * - Files of one input path are sorted by relative path (plain code-unit
 *   order), so the same tree always gives the same order, on any file system.
 *   That order decides which duplicate is kept and which topic name wins.
 * - Symbolic links are followed, but no directory or file is visited twice
 *   (by real path), so link cycles end and nothing is indexed twice.
 * - Hidden entries (`.git`, `.DS_Store`) are passed over; documentation files
 *   (`README.*`, `LICENSE*`) and unknown extensions are listed as skipped.
 *
 * @example
 * ```ts
 * const { files, skipped } = await listInputs(['data/'], process.cwd())
 * ```
 */
import { readdir, realpath, stat } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { compareCodeUnits } from './compare'
import { BuildError } from './errors'
import { isDocumentationFile, parserFor, type Parser } from './formats'
import type { SkippedFile } from './report'

export interface InputFile {
  /** Absolute path. */
  path: string
  /** Path relative to its input root, for derived ids. */
  rel: string
  /** Path relative to the working directory, for reports. */
  display: string
  parser: Parser
}

/** A path relative to `cwd` with `/` separators, as the report prints it. */
export function displayPath(path: string, cwd: string): string {
  return (relative(cwd, path) || '.').split('\\').join('/')
}

export async function listInputs(paths: readonly string[], cwd: string): Promise<{ files: InputFile[]; skipped: SkippedFile[] }> {
  const files: InputFile[] = []
  const skipped: SkippedFile[] = []
  const seen = new Set<string>()

  for (const input of paths) {
    const absolute = resolve(cwd, input)
    let info
    try {
      info = await stat(absolute)
    } catch {
      throw new BuildError(`input path "${input}" does not exist`)
    }
    const root = info.isDirectory() ? absolute : dirname(absolute)
    const found: Found[] = []
    if (info.isDirectory()) await walk(absolute, found, seen)
    else await visitFile(absolute, found, seen)
    const entries = found.map((entry) => ({ ...entry, rel: relative(root, entry.path).split('\\').join('/') }))
    entries.sort((a, b) => compareCodeUnits(a.rel, b.rel))
    for (const { path, rel, problem } of entries) {
      const display = displayPath(path, cwd)
      const parser = parserFor(path)
      if (problem === 'broken') skipped.push({ file: display, reason: 'broken symbolic link', warn: true })
      else if (problem === 'loop') skipped.push({ file: display, reason: 'symbolic link loop: leads back to a folder already read', warn: true })
      else if (problem === 'again') skipped.push({ file: display, reason: 'same file as one read before (link)', warn: false })
      else if (isDocumentationFile(path)) skipped.push({ file: display, reason: 'documentation, not an article', warn: false })
      else if (!parser) skipped.push({ file: display, reason: 'unknown file type', warn: true })
      else files.push({ path, rel, display, parser })
    }
  }
  return { files, skipped }
}

interface Found {
  path: string
  problem?: 'broken' | 'again' | 'loop'
}

async function visitFile(path: string, found: Found[], seen: Set<string>): Promise<void> {
  const real = await realpath(path)
  if (seen.has(real)) found.push({ path, problem: 'again' })
  else {
    seen.add(real)
    found.push({ path })
  }
}

async function walk(dir: string, found: Found[], seen: Set<string>): Promise<void> {
  const real = await realpath(dir)
  if (seen.has(real)) return
  seen.add(real)
  const entries = await readdir(dir, { withFileTypes: true })
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    let isDirectory = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined)
      if (!target) {
        found.push({ path, problem: 'broken' })
        continue
      }
      isDirectory = target.isDirectory()
      isFile = target.isFile()
    }
    if (isDirectory && entry.isSymbolicLink() && seen.has(await realpath(path))) found.push({ path, problem: 'loop' })
    else if (isDirectory) await walk(path, found, seen)
    else if (isFile) await visitFile(path, found, seen)
  }
}
