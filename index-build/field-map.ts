/**
 * `--map target=source,…`: which source field fills which article field, so
 * that a JSON Lines corpus with other field names can be indexed unchanged.
 *
 * An unknown target is a usage error, not a warning: a typo such as
 * `boyd=text` would otherwise index every article without a body.
 *
 * @example
 * ```ts
 * parseFieldMap('id=_id,body=text') // { id: '_id', body: 'text' }
 * parseFieldMap('boyd=text')        // throws BuildError: unknown target field "boyd" …
 * ```
 */
import { BuildError } from './errors'
import { ARTICLE_FIELDS, type ArticleField } from './formats'

export type FieldMap = Partial<Record<ArticleField, string>>

const isArticleField = (name: string): name is ArticleField => (ARTICLE_FIELDS as readonly string[]).includes(name)

/** Checks a field map given as an object (as `buildIndex` gets it). */
export function checkFieldMap(map: Record<string, unknown>): FieldMap {
  const checked: FieldMap = {}
  for (const [target, source] of Object.entries(map)) {
    if (!isArticleField(target)) {
      throw new BuildError(`--map: unknown target field "${target}" (known: ${ARTICLE_FIELDS.join(', ')})`)
    }
    if (typeof source !== 'string' || source.trim() === '') throw new BuildError(`--map: no source field given for "${target}"`)
    checked[target] = source.trim()
  }
  return checked
}

/** Parses the `--map` text form. */
export function parseFieldMap(text: string): FieldMap {
  const map: Record<string, string> = {}
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue
    const eq = pair.indexOf('=')
    if (eq < 0) throw new BuildError(`--map: "${pair.trim()}" is not target=source`)
    const target = pair.slice(0, eq).trim()
    if (Object.hasOwn(map, target)) throw new BuildError(`--map: target field "${target}" is given twice`)
    map[target] = pair.slice(eq + 1)
  }
  return checkFieldMap(map)
}
