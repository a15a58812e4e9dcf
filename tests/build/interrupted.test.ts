/**
 * A build killed part way must leave the previous index intact (issue 6,
 * "nothing half-written is ever left behind"). The build is the real CLI,
 * killed with SIGKILL while it writes the full Reuters corpus.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listFiles, MARKDOWN, REUTERS_FULL, ROOT, useTempDirs } from './helpers'

const tempDir = useTempDirs()
const TSX = join(ROOT, 'node_modules/.bin/tsx')

function build(out: string, ...args: string[]) {
  // SOURCE_DATE_EPOCH: builds of the same input are then byte-identical, so "unchanged" can be checked byte for byte.
  return spawnSync(TSX, ['index-build/cli.ts', ...args, '--quiet', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1766534400' } })
}

/** Every file of `dir` with its bytes, to compare a whole index before and after. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = await listFiles(dir)
  return new Map(await Promise.all(files.map(async (file) => [file, (await readFile(join(dir, file))).toString('base64')] as const)))
}

/** True once process `pid` has exited (gone from /proc, or a zombie). */
function gone(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

/** The build's sibling temporary directories (`.<out>.<pid>.tmp`). */
function leftovers(out: string, kind: 'tmp' | 'old' = 'tmp'): string[] {
  return readdirSync(dirname(out)).filter((name) => name.startsWith(`.${basename(out)}.`) && name.endsWith(`.${kind}`))
}

describe.runIf(REUTERS_FULL)('an interrupted build', () => {
  it('killed while writing, leaves the previous index byte for byte, and the next build clears what it left', async () => {
    const out = join(await tempDir(), 'assets')
    expect(build(out, MARKDOWN).status).toBe(0)
    const before = await snapshot(out)
    expect(before.has('manifest.json')).toBe(true)

    const child = spawn(TSX, ['index-build/cli.ts', REUTERS_FULL!, '--quiet', '--out', out], { cwd: ROOT, detached: true, stdio: 'ignore' })
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    // Kill it once it has written part of the new index: 200 fragment files of its 5,334.
    let killedMidWrite = false
    for (let i = 0; i < 12_000 && child.exitCode === null; i++) {
      const temp = leftovers(out)[0]
      const written = temp && existsSync(join(dirname(out), temp, 'articles')) ? readdirSync(join(dirname(out), temp, 'articles')).length : 0
      if (written >= 200) {
        process.kill(-child.pid!, 'SIGKILL')
        killedMidWrite = true
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await exited
    expect(killedMidWrite, 'the build finished before it could be killed mid-write').toBe(true)

    expect(await snapshot(out)).toEqual(before)
    expect(leftovers(out)).toHaveLength(1)
    // The tsx wrapper has exited; wait for the build's own node process (the pid in the name) to be gone too.
    const pid = Number(/\.(\d+)\.tmp$/.exec(leftovers(out)[0]!)![1])
    for (let i = 0; i < 500 && !gone(pid); i++) await new Promise((resolve) => setTimeout(resolve, 10))

    expect(build(out, MARKDOWN).status).toBe(0)
    expect(leftovers(out)).toEqual([])
    expect(await snapshot(out)).toEqual(before)
  }, 120_000)

  it('killed between its two renames, leaves the previous index beside the out dir, and the next build puts it back even if it fails', async () => {
    const parent = await tempDir()
    const out = join(parent, 'assets')
    expect(build(out, MARKDOWN).status).toBe(0)
    const before = await snapshot(out)
    // The state a build killed after "rename out → .old" and before "rename .tmp → out" leaves: a dead pid's .old.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const { rename } = await import('node:fs/promises')
    await rename(out, join(parent, `.assets.${dead.stdout}.old`))
    await mkdir(join(parent, `.assets.${dead.stdout}.tmp`))
    await writeFile(join(parent, `.assets.${dead.stdout}.tmp`, 'manifest.json'), '{"half": "written"')
    expect(existsSync(out)).toBe(false)

    // A build that fails (--strict on a rejected record) still recovers the previous index first.
    const failed = build(out, 'tests/fixtures/reuters-sample.jsonl', '--strict')
    expect(failed.status).toBe(1)
    expect(await snapshot(out)).toEqual(before)
    expect([...leftovers(out, 'tmp'), ...leftovers(out, 'old')]).toEqual([])
  }, 60_000)
})
