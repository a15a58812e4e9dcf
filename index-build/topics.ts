/**
 * Topics: display names and their slugs.
 *
 * A slug is what URLs and filters use ("Ukraine - Russia War" →
 * `ukraine-russia-war`); the display name is what people read. When two
 * names give one slug ("Middle East", "middle east"), the first name seen wins,
 * and input order is deterministic, so the choice is stable between builds.
 *
 * `decamelize` is off: it would split acronyms ("AfD" → `af-d`), and topic
 * names are written by people, not code.
 *
 * @example
 * ```ts
 * topicSlug('Ukraine - Russia War') // 'ukraine-russia-war'
 * const topics = new TopicRegistry()
 * topics.add('Middle East') // 'middle-east'
 * topics.name('middle-east') // 'Middle East'
 * ```
 */
import slugify from '@sindresorhus/slugify'

export function topicSlug(name: string): string {
  return slugify(name, { decamelize: false })
}

export class TopicRegistry {
  readonly #names = new Map<string, string>()

  /** Registers a display name; returns its slug ('' if the name has no letters or digits). */
  add(name: string): string {
    const slug = topicSlug(name)
    if (slug !== '' && !this.#names.has(slug)) this.#names.set(slug, name)
    return slug
  }

  /** The display name of a registered slug. */
  name(slug: string): string {
    return this.#names.get(slug) ?? slug
  }
}
