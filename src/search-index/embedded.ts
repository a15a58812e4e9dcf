/**
 * Index files shipped inside the Worker script, read before the static
 * assets.
 *
 * Workers can do no I/O in the global scope, so a fresh isolate used to read
 * the dictionary, the document table and the ids (4 MB for Reuters) from
 * `ASSETS` in its first request, whose CPU counts against the free plan's
 * 10 ms. When they fit, the build (`index-build/embed.ts`) writes
 * `embedded.js` next to them, and wrangler bundles it into the script (the
 * `embedded-index` alias in wrangler.toml), every file as a Data module
 * (an `ArrayBuffer`, nothing parsed at startup); JSON files are parsed on
 * first use. An index too large to embed gets an `embedded.js`
 * that exports `undefined`, and everything comes from the assets.
 *
 * The embedded files and the assets come from one build and are deployed
 * together; the worker test checks that they agree (`tests/worker/embedded.test.ts`).
 *
 * @example
 * ```ts
 * import embedded from 'embedded-index'
 * const index = await loadSearchIndex(withEmbedded(embedded, assetSource(env.ASSETS)))
 * ```
 */
import type { ArtefactSource } from '.'

/** File name (as in the out dir) → its bytes. */
export type EmbeddedFiles = Readonly<Record<string, ArrayBuffer | Uint8Array>>

/** A source that serves the embedded files and asks `fallback` for every other one. */
export function withEmbedded(files: EmbeddedFiles | undefined, fallback: ArtefactSource): ArtefactSource {
  if (!files) return fallback
  const embedded = (name: string) => (Object.hasOwn(files, name) ? files[name] : undefined)
  return {
    async json<T>(name: string): Promise<T> {
      const file = embedded(name)
      if (file === undefined) return fallback.json<T>(name)
      return JSON.parse(new TextDecoder().decode(file)) as T
    },
    async bytes(name: string): Promise<Uint8Array> {
      const file = embedded(name)
      if (file === undefined) return fallback.bytes(name)
      return file instanceof Uint8Array ? file : new Uint8Array(file)
    },
  }
}
