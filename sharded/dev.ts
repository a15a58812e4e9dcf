/**
 * `npm run dev:sharded`: the front Worker and one Worker per shard of
 * `generated/assets/` (built with `--shards k`) in one `wrangler dev` session,
 * the front on http://127.0.0.1:8787 (the `[dev]` of wrangler.toml; `docs/sharding.md`).
 *
 * Usage: `tsx sharded/dev.ts [assets dir] [-- extra wrangler dev arguments]`
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { WRANGLER_ENV } from '../bench/lib/wrangler'
import { shardedConfigs } from './configs'

const [assets = 'generated/assets', ...extra] = process.argv.slice(2).filter((arg) => arg !== '--')
const { all, shards } = shardedConfigs({ dir: '.wrangler/sharded', assets })
console.log(`front + ${shards.length} shards over ${resolve(assets)}; configs in .wrangler/sharded/`)
const args = ['dev', ...all.flatMap((config) => ['--config', config]), ...extra]
const child = spawn(resolve('node_modules/.bin/wrangler'), args, { env: WRANGLER_ENV, stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
