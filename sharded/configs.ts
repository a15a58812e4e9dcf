/**
 * Wrangler configs for the sharded setup (`docs/sharding.md`), generated from
 * wrangler.toml (compatibility date, vars, `[assets]` settings) by
 * `bench/lib/wrangler.ts`'s `tempConfig`, for K shards found in an assets dir:
 *
 * - `<name>-shard-<i>`: `src/shard/index.ts` over the whole assets dir with
 *   `INDEX_PREFIX = "shard-<i>/"`, the `embedded-index` alias at
 *   `shard-<i>/embedded.js`, `workers_dev = false` (no public URL when
 *   deployed: reachable only through service bindings). The whole dir, also
 *   for a `--shards-only` build whose `shard-<i>/` directories are
 *   self-contained: wrangler 4.86's `dev` with several configs serves the
 *   first Worker's assets directory to every Worker (shard 3 read shard 0's
 *   files), so in one session all shards must share one. With `layout:
 *   'own'` each shard serves its own directory instead, and each config runs
 *   in its own session (see {@link ShardedConfigOptions});
 * - `<name>-front`: `src/front/index.ts`, no assets, one `[[services]]`
 *   binding `SHARD_<i>` per shard.
 *
 * No `[[ratelimits]]` anywhere: locally every request comes from one address
 * (add the block to the front's config to deploy it with a per-client limit).
 *
 * `wrangler dev -c <front> -c <shard-0> … -c <shard-(K-1)>` serves them in one
 * session; the first config is the one on the port.
 *
 * @example
 * ```ts
 * const { front, shards } = shardedConfigs({ dir: '.wrangler/sharded', assets: 'generated/assets' })
 * ```
 */
import { existsSync } from 'node:fs'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempConfig, withEmbeddedAlias } from '../bench/lib/wrangler'

export interface ShardedConfigs {
  /** Config paths, front first: the order `wrangler dev -c` wants. */
  all: string[]
  front: string
  shards: string[]
}

/** Shards in an assets dir: `shard-0/`, `shard-1/`, … (consecutive, each with a manifest). */
export function shardCount(assets: string): number {
  let k = 0
  while (existsSync(join(assets, `shard-${k}`, 'manifest.json'))) k++
  return k
}

/** Drops a `[table]` or `[[array]]` block (header to the next header or the end). */
function withoutBlock(toml: string, header: string): string {
  const at = toml.indexOf(`\n${header}\n`)
  if (at < 0) return toml
  const next = toml.slice(at + header.length + 2).search(/^\[/m)
  return toml.slice(0, at + 1) + (next < 0 ? '' : toml.slice(at + header.length + 2 + next))
}

/** Rewrites a generated config in place. */
function edit(path: string, change: (toml: string) => string): void {
  writeFileSync(path, change(readFileSync(path, 'utf8')))
}

export interface ShardedConfigOptions {
  /** Where the configs are written. */
  dir: string
  /** The build's out dir. */
  assets: string
  /** Worker name prefix. Default: `edge-article-search`. */
  name?: string
  /** Number of shards. Default: as many as the out dir holds. */
  shards?: number
  /**
   * `shared` (default): every shard serves the whole out dir with its
   * `INDEX_PREFIX`, for one `wrangler dev` session with all the configs.
   * `own`: each shard serves its own `shard-<i>/` (a `--shards-only` build,
   * whose shard directories are self-contained, as a deployment has them);
   * then each config must run in a `wrangler dev` of its own (the front
   * finds the shards through wrangler's local dev registry), since one
   * session serves the first Worker's assets directory to all.
   */
  layout?: 'shared' | 'own'
}

export function shardedConfigs(options: ShardedConfigOptions): ShardedConfigs {
  const name = options.name ?? 'edge-article-search'
  const k = options.shards ?? shardCount(options.assets)
  if (k === 0) throw new Error(`no shard-0/manifest.json in ${options.assets}: build with npm run build -- --shards 4`)
  const own = options.layout === 'own'
  const shards = Array.from({ length: k }, (_, i) => {
    const shardDir = join(options.assets, `shard-${i}`)
    if (own && !existsSync(join(shardDir, 'suggest', 'lexicon.json'))) throw new Error(`${shardDir} is not self-contained: build with --shards-only`)
    const path = tempConfig({ dir: options.dir, name: `${name}-shard-${i}`, assets: own ? shardDir : options.assets, main: 'src/shard/index.ts' })
    edit(path, (toml) => {
      // The shard's own embedded files (index-build/embed.ts).
      const out = withEmbeddedAlias(withoutBlock(toml, '[[ratelimits]]'), shardDir)
        .replace(/^(name\s*=.*)$/m, '$1\n# Reachable only through the front\'s service binding.\nworkers_dev = false')
      return own ? out : out.replace(/^\[vars\]$/m, `[vars]\nINDEX_PREFIX = ${JSON.stringify(`shard-${i}/`)}`)
    })
    return path
  })
  const front = tempConfig({ dir: options.dir, name: `${name}-front`, assets: options.assets, main: 'src/front/index.ts' })
  edit(front, (toml) => {
    let out = withoutBlock(withoutBlock(toml, '[assets]'), '[[ratelimits]]').trimEnd()
    for (let i = 0; i < k; i++) out += `\n\n[[services]]\nbinding = "SHARD_${i}"\nservice = ${JSON.stringify(`${name}-shard-${i}`)}`
    return `${out}\n`
  })
  return { all: [front, ...shards], front, shards }
}
