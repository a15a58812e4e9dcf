/**
 * Measures the engine-side time of `/suggest` and of `didYouMean` in Node,
 * for docs/suggest-related.md: everything the Worker does for one request
 * except the HTTP layer and the one-time loads (postings chunks and the
 * lexicon are loaded before timing, as they are in a warm isolate).
 *
 * ```sh
 * npm run build
 * node --import tsx scripts/measure-suggest.ts [generated/assets] [--n 2000] [--seed 7] [--repeat 5] [--slowest]
 * ```
 *
 * The sample, with a fixed seed: 1–3 consecutive words of random article
 * titles (lower-cased), the last one cut to a random prefix of 1 to its full
 * length; and for did-you-mean, random title words of 5+ letters with one
 * random edit (swap, deletion, insertion or substitution).
 */
import { loadSearchIndex } from '../src/search-index'
import { assemble, didYouMean, loadLexicon, planSuggest, rankSuggest } from '../src/suggest'
import { seededRandom } from '../bench/lib/prng'
import { fileSource } from '../index-build/load-compiled'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback)
const dir = args[0] && !args[0].startsWith('--') ? args[0] : 'generated/assets'
const n = option('--n', 2000)
const seed = option('--seed', 7)

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

const source = fileSource(dir)
const index = await loadSearchIndex(source)
const lexicon = await loadLexicon(index, source)
if (lexicon.count !== index.ids.length) throw new Error(`${dir} has no suggest lexicon; run npm run build (or npx tsx index-build/suggest/cli.ts ${dir})`)
await index.engine.postings.load(index.manifest.index.postings.files.map((_, c) => c))

const random = seededRandom(seed)
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
const prefixes: string[] = []
while (prefixes.length < n) {
  const words = pick(lexicon.titles).toLowerCase().split(/\s+/).filter((word) => /^[a-z]+$/.test(word))
  if (words.length === 0) continue
  const count = Math.min(words.length, 1 + Math.floor(random() * 3))
  const start = Math.floor(random() * (words.length - count + 1))
  const chosen = words.slice(start, start + count)
  const last = chosen.pop()!
  chosen.push(last.slice(0, 1 + Math.floor(random() * last.length)))
  prefixes.push(chosen.join(' '))
}
const letters = 'abcdefghijklmnopqrstuvwxyz'
const typos: string[] = []
while (typos.length < n / 4) {
  const word = pick(pick(lexicon.titles).toLowerCase().split(/\s+/).filter((w) => /^[a-z]{5,}$/.test(w)).concat(['']))
  if (!word) continue
  const i = Math.floor(random() * (word.length - 1))
  const kind = Math.floor(random() * 4)
  const letter = pick([...letters])
  typos.push(
    kind === 0 ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2)
    : kind === 1 ? word.slice(0, i) + word.slice(i + 1)
    : kind === 2 ? word.slice(0, i) + letter + word.slice(i)
    : word.slice(0, i) + letter + word.slice(i + 1),
  )
}

const suggestOnce = (q: string) => {
  const plan = planSuggest(index.engine, lexicon, { q, limit: 8, prefix: true })
  const ranked = rankSuggest(index.engine, lexicon, plan)
  return assemble(plan.request, ranked.queries, ranked.titles.map((d) => ({ n: d, id: index.ids.at(d)!, title: lexicon.titles[d]! })))
}
// Warm-up: the JIT, and the vocabulary's scratch tables.
for (const q of prefixes.slice(0, 300)) suggestOnce(q)
for (const q of typos.slice(0, 50)) didYouMean(index, q, lexicon)

/**
 * Wall time of one run per query, and the least of `repeat` runs: on a shared
 * machine a single run also measures the scheduler (other processes, GC and
 * JIT threads); the least of a few runs is the query's own cost.
 */
const repeat = option('--repeat', 5)
function time(run: () => unknown): { once: number; least: number } {
  let least = Infinity
  let once = 0
  for (let r = 0; r < repeat; r++) {
    const started = performance.now()
    run()
    const elapsed = performance.now() - started
    if (r === 0) once = elapsed
    if (elapsed < least) least = elapsed
  }
  return { once, least }
}
const times: number[] = []
const leastTimes: number[] = []
let empty = 0
for (const q of prefixes) {
  const { once, least } = time(() => suggestOnce(q))
  times.push(once)
  leastTimes.push(least)
  if (suggestOnce(q).suggestions.length === 0) empty++
}
const typoTimes: number[] = []
const typoLeast: number[] = []
let corrected = 0
for (const q of typos) {
  const { once, least } = time(() => didYouMean(index, q, lexicon))
  typoTimes.push(once)
  typoLeast.push(least)
  if (didYouMean(index, q, lexicon) !== undefined) corrected++
}
const row = (name: string, values: number[]) =>
  `${name.padEnd(14)} n=${String(values.length).padStart(5)}  p50 ${percentile(values, 50).toFixed(3)} ms  p90 ${percentile(values, 90).toFixed(3)} ms  p99 ${percentile(values, 99).toFixed(3)} ms  max ${Math.max(...values).toFixed(3)} ms`
const { loadavg } = await import('node:os')
console.log(`${dir}: ${index.ids.length} articles, seed ${seed}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
console.log(row('suggest', times), ` (${empty} with no suggestion)`)
console.log(row(`  least of ${repeat}`, leastTimes))
console.log(row('didYouMean', typoTimes), ` (${corrected} corrected)`)
console.log(row(`  least of ${repeat}`, typoLeast))
