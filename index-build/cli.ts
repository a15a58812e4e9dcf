/**
 * Command line of the index build.
 *
 * ```text
 * tsx index-build/cli.ts [paths...] [--out generated/assets] [--map id=_id,body=text]
 *                        [--strict] [--quiet] [--verbose] [--dry-run] [--reference] [--shards k [--shards-only]] [--no-embed]
 * ```
 *
 * Exit code 0 when the index was written (warnings included), 1 when the build
 * failed; the policy is in `report.ts`. The report goes to stdout; errors, and
 * with `--quiet` only the problem lines, go to stderr. A progress bar is shown
 * on stderr for more than 1,000 records when stderr is a terminal.
 *
 * @example
 * ```sh
 * npx tsx index-build/cli.ts data/ --out generated/assets
 * npx tsx index-build/cli.ts ../shared/relevance/scifact/corpus.jsonl --map id=_id,body=text --out /tmp/scifact
 * ```
 */
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { buildIndex, type BuildProgress } from './build'
import { BuildError } from './errors'
import { parseFieldMap } from './field-map'
import { formatReport, rejectionLine, warningLines } from './report'
import { DEFAULT_TITLES_BUDGET } from './suggest'
import { MAX_PACKED_ARTICLE_BYTES } from '../src/index-format'

const USAGE = `usage: tsx index-build/cli.ts [paths...] [options]

Reads articles (.txt, .jsonl/.ndjson, .md/.markdown) from the paths (default: data/)
and writes the compiled index (format version 2): manifest.json, terms.bin,
docs.bin, ids.json, postings/ and articles/, replacing the out dir as a whole.

options:
  -o, --out DIR        output directory (default: generated/assets)
      --map T=S,...    JSON Lines: read article field T from source field S (e.g. id=_id,body=text)
      --strict         fail (exit 1) on any rejected record or warning
  -q, --quiet          print only problems
  -v, --verbose        list all topics and every merged duplicate
      --dry-run        read and report, write nothing
      --reference      also write the MiniSearch JSON (reference/minisearch.json), for tests
      --shards K       also write K shards (shard-<i>/) compiled with global statistics
      --shards-only    with --shards K: write only the K shards, each a self-contained assets
                       directory, in two passes that never hold the whole corpus in one
                       MiniSearch (for corpora too large for one index; docs/sharding.md)
      --no-embed       do not embed the dictionary, document table, ids and lexicon in the
                       Worker script (embedded.js); by default they are when their gzip size
                       is at most 2 MiB
  -h, --help           show this help`

const PROGRESS_THRESHOLD = 1000

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** One entry per top-level file, and one per directory with its file count and total size. */
function summarizeArtefacts(artefacts: { file: string; bytes: number }[]): string[] {
  const groups = new Map<string, { files: number; bytes: number }>()
  for (const { file, bytes } of artefacts) {
    const slash = file.indexOf('/')
    const key = slash < 0 ? file : file.slice(0, slash + 1)
    const group = groups.get(key) ?? { files: 0, bytes: 0 }
    group.files += 1
    group.bytes += bytes
    groups.set(key, group)
  }
  return [...groups].map(([key, group]) => (key.endsWith('/') ? `${key} (${group.files} files) ${formatBytes(group.bytes)}` : `${key} ${formatBytes(group.bytes)}`))
}

/** A cli-progress bar that appears only once there are enough records to wait for. */
function progressBar(): { update: (progress: BuildProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined
  let phase: BuildProgress['phase'] | undefined
  return {
    update(progress) {
      if (progress.records <= PROGRESS_THRESHOLD) return
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: '{phase} [{bar}] {percentage}% {value}/{total}', hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
      }
      if (phase !== progress.phase) {
        if (phase) bar.stop()
        phase = progress.phase
        const label = { read: 'reading (bytes)', count: 'counting (articles)', index: 'indexing (articles)' }[phase]
        bar.start(progress.total, progress.done, { phase: label })
      } else bar.update(progress.done)
    },
    stop() {
      bar?.stop()
    },
  }
}

async function main(argv: string[]): Promise<number> {
  let args
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o', default: 'generated/assets' },
        map: { type: 'string' },
        strict: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        'dry-run': { type: 'boolean', default: false },
        reference: { type: 'boolean', default: false },
        shards: { type: 'string', default: '0' },
        'shards-only': { type: 'boolean', default: false },
        'no-embed': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`)
    return 1
  }
  const { values, positionals } = args
  if (values.help) {
    console.log(USAGE)
    return 0
  }

  const bar = !values.quiet && process.stderr.isTTY ? progressBar() : undefined
  try {
    const result = await buildIndex({
      paths: positionals.length > 0 ? positionals : ['data/'],
      out: values.out,
      fieldMap: values.map === undefined ? {} : parseFieldMap(values.map),
      strict: values.strict,
      dryRun: values['dry-run'],
      reference: values.reference,
      shards: /^\d+$/.test(values.shards) ? Number(values.shards) : Number.NaN,
      shardsOnly: values['shards-only'],
      ...(values['no-embed'] ? { embedBudgetBytes: 0 } : {}),
      onProgress: bar?.update,
    })
    bar?.stop()
    const { report } = result
    if (values.quiet) {
      for (const line of [...report.rejections.map(rejectionLine), ...warningLines(report)]) console.error(line)
    } else {
      console.log(formatReport(report, { verbose: values.verbose }).join('\n'))
    }
    if (!result.ok) {
      for (const failure of result.failures) console.error(`build failed: ${failure}`)
      return 1
    }
    if (!values.quiet) {
      const seconds = (result.durationMs / 1000).toFixed(1)
      if (result.manifest) {
        const sizes = summarizeArtefacts(result.artefacts).join(', ')
        console.log(`wrote ${result.outDir}/: ${sizes}; ${result.manifest.articleCount} articles, index version ${result.manifest.indexVersion}, in ${seconds} s`)
        const { embedded, gzipBytes } = result.embedding!
        const size = `${(gzipBytes / 2 ** 20).toFixed(2)} MiB gzip`
        console.log(embedded ? `embedded in the Worker script (embedded.js): manifest, dictionary, document table, ids, lexicon, ${size}` : `not embedded in the script (${size}, over the budget): the Worker reads them from the assets`)
        const { titles, titleBytes } = result.lexicon!
        const { packs } = result.manifest.index
        const packed = packs.bytes.reduce((sum, bytes) => sum + bytes, 0)
        console.log(
          packs.files.length > 0
            ? `article packs: ${packs.files.length} files, ${(packed / 2 ** 20).toFixed(1)} MiB compressed, held in memory by the Worker once loaded`
            : `no article packs (the compressed articles are over the ${MAX_PACKED_ARTICLE_BYTES / 2 ** 20} MiB budget): the Worker fetches a fragment per hit`,
        )
        if (!titles) console.log(`titles not in the suggest lexicon (${(titleBytes / 2 ** 20).toFixed(1)} MiB, over the ${DEFAULT_TITLES_BUDGET / 2 ** 20} MiB budget, kept out of the Worker's heap): /suggest reads the titles it shows from the article fragments`)
      } else if (result.shardManifests.length > 0) {
        const sizes = summarizeArtefacts(result.artefacts).join(', ')
        const counts = result.shardManifests.map((manifest) => manifest.articleCount).join(' + ')
        console.log(`wrote ${result.outDir}/: ${sizes}; ${counts} articles in ${result.shardManifests.length} shards, in ${seconds} s`)
      } else console.log(`dry run: nothing written, in ${seconds} s`)
    }
    return 0
  } catch (error) {
    bar?.stop()
    if (error instanceof BuildError) {
      console.error(`error: ${error.message}`)
      return 1
    }
    throw error
  }
}

process.exitCode = await main(process.argv.slice(2))
