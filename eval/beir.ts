/**
 * Readers of a BEIR-layout collection (`corpus.jsonl`, `queries.jsonl`, `qrels.tsv`), shared by `npm run eval`
 * (`eval/run.ts`) and the in-process harness (`eval/engine-tune.ts`).
 *
 * @example
 * ```ts
 * const qrels = await readQrels('../shared/relevance/scifact/qrels.tsv') // query id → (doc id → score)
 * ```
 */
import { readFile } from 'node:fs/promises'

/** A JSON-lines file, blank lines skipped. */
export async function readJsonl<T>(path: string): Promise<T[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T)
}

/** qrels.tsv with a header `query-id corpus-id score`: query id → (doc id → score). */
export async function readQrels(path: string): Promise<Map<string, Map<string, number>>> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim().length > 0)
  const header = lines[0]!.split('\t').map((cell) => cell.trim())
  if (header[0] !== 'query-id' || header[1] !== 'corpus-id') throw new Error(`${path}: expected a header "query-id corpus-id score", got "${lines[0]}"`)
  const qrels = new Map<string, Map<string, number>>()
  for (const line of lines.slice(1)) {
    const [qid, docId, score] = line.split('\t').map((cell) => cell.trim())
    if (!qid || !docId || score === undefined || !Number.isFinite(Number(score))) throw new Error(`${path}: bad line "${line}"`)
    if (!qrels.has(qid)) qrels.set(qid, new Map())
    qrels.get(qid)!.set(docId, Number(score))
  }
  return qrels
}
