/**
 * Query-mode comparison, in process. The build's `--reference` output
 * (`reference/minisearch.json`, the MiniSearch index the compact format is
 * compiled from) is loaded with the project's own MiniSearch options, analyzer
 * and field boosts, and the queries are run with the matching rules varied one
 * at a time. This answers "would another query mode rank better?" without
 * touching `src/`.
 *
 * The `as-worker` mode applies the Worker's rules (AND relaxed to OR, prefix on
 * the last word, `typoDistance`); the harness counts how many of its rankings
 * equal the real Worker's over HTTP, so a reader can see how far the other
 * modes are from the Worker only by the rule they change. (Ties may be broken
 * differently: the engine puts equal scores newest first.)
 *
 * This depends on the internals (MiniSearch as the reference scorer, the
 * exports of `src/index-format` and `src/search`). When they change, loading
 * throws and the harness says modes are unavailable; the HTTP figures do not
 * depend on this file.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface ModeRun {
  ids: string[]
  relaxed: boolean
}

export interface Mode {
  name: string
  description: string
  run(q: string, limit: number): ModeRun
}

export interface LoadedModes {
  modes: Mode[]
  /** Topic slugs of each article id (from the article fragments). */
  topicsById: Map<string, string[]>
}

export async function loadModes(assets: string): Promise<LoadedModes> {
  const [{ default: MiniSearch }, { MINISEARCH_OPTIONS, FIELD_BOOSTS }, { matchPrefix, typoDistance }] = await Promise.all([
    import('minisearch'),
    import('../src/index-format'),
    import('../src/search'),
  ])
  const json = await readFile(join(assets, 'reference', 'minisearch.json'), 'utf8')
  const mini = MiniSearch.loadJSON(json, MINISEARCH_OPTIONS)
  const ids = JSON.parse(await readFile(join(assets, 'ids.json'), 'utf8')) as string[]
  const topicsById = new Map<string, string[]>()
  for (const file of await readdir(join(assets, 'articles'))) {
    const fragment = JSON.parse(await readFile(join(assets, 'articles', file), 'utf8')) as { articles: { id: string; topics: string[] }[] }
    for (const article of fragment.articles) topicsById.set(article.id, article.topics)
  }
  const idOf = (n: unknown) => ids[n as number]!
  const query = (q: string, combineWith: 'AND' | 'OR', loose: boolean) =>
    mini.search(q, { combineWith, boost: FIELD_BOOSTS, ...(loose ? { prefix: matchPrefix, fuzzy: typoDistance } : {}) })
  const andOr = (loose: boolean) => (q: string, limit: number): ModeRun => {
    const all = query(q, 'AND', loose)
    const relaxed = all.length === 0
    return { ids: (relaxed ? query(q, 'OR', loose) : all).slice(0, limit).map((r) => idOf(r.id)), relaxed }
  }
  const or = (loose: boolean) => (q: string, limit: number): ModeRun => ({ ids: query(q, 'OR', loose).slice(0, limit).map((r) => idOf(r.id)), relaxed: false })
  return {
    topicsById,
    modes: [
      { name: 'as-worker', description: 'AND, relaxed to OR when empty; prefix on the last word; typo tolerance (the Worker\'s rules)', run: andOr(true) },
      { name: 'and-or-exact', description: 'AND relaxed to OR; no prefix, no typo tolerance', run: andOr(false) },
      { name: 'or', description: 'OR (any word); prefix on the last word; typo tolerance', run: or(true) },
      { name: 'or-exact', description: 'OR (any word); no prefix, no typo tolerance: plain BM25 over the weighted fields', run: or(false) },
    ],
  }
}
