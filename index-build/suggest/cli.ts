/**
 * Adds the suggest lexicon to an out dir that `npm run build` already wrote,
 * reading the articles back from its fragments (index order). For use until
 * the build calls {@link suggestArtefacts} itself, and for out dirs built
 * before this step existed.
 *
 * ```sh
 * npx tsx index-build/suggest/cli.ts [generated/assets]
 * ```
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ArticleFragment, Manifest } from '../../src/index-format'
import { suggestArtefacts } from '.'

const out = process.argv[2] ?? 'generated/assets'
const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest
const articles: ArticleFragment['articles'] = []
for (let k = 0; k < manifest.index.fragments.count; k++) {
  const fragment = JSON.parse(await readFile(join(out, `articles/${k}.json`), 'utf8')) as ArticleFragment
  articles.push(...fragment.articles)
}
if (articles.length !== manifest.index.localDocumentCount) throw new Error(`${out}: fragments hold ${articles.length} articles, the manifest says ${manifest.index.localDocumentCount}`)
for (const file of suggestArtefacts(articles).files) {
  const path = join(out, file.name)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(`${path}.tmp`, file.bytes)
  await rename(`${path}.tmp`, path)
  console.log(`${path}: ${(file.bytes.length / 1024).toFixed(1)} KiB`)
}
