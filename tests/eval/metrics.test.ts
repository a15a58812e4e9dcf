import { describe, expect, it } from 'vitest'
import { dcg, mean, ndcgAt, recallAt } from '../../eval/metrics'

const judged = (...ids: string[]) => new Map(ids.map((id) => [id, 1]))

describe('nDCG@10 (trec_eval ndcg_cut.10)', () => {
  it('matches the hand-worked example [rel, non, rel] with 2 relevant', () => {
    // DCG = 1/log2(2) + 0/log2(3) + 1/log2(4) = 1 + 0 + 0.5 = 1.5
    // IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.63093 = 1.63093
    expect(dcg([1, 0, 1])).toBeCloseTo(1.5, 12)
    expect(dcg([1, 1])).toBeCloseTo(1.6309297535714575, 12)
    expect(ndcgAt(['a', 'x', 'b'], judged('a', 'b'), 10)).toBeCloseTo(0.9197207891481876, 12)
  })

  it('is 1 for the ideal ranking and 0 for no hits', () => {
    expect(ndcgAt(['a', 'b', 'x'], judged('a', 'b'), 10)).toBe(1)
    expect(ndcgAt([], judged('a', 'b'), 10)).toBe(0)
    expect(ndcgAt(['x', 'y'], judged('a'), 10)).toBe(0)
  })

  it('is 0 when every relevant document is beyond rank 10', () => {
    const ranking = [...Array.from({ length: 10 }, (_, i) => `x${i}`), 'a', 'b']
    expect(ndcgAt(ranking, judged('a', 'b'), 10)).toBe(0)
    expect(ndcgAt(ranking, judged('a', 'b'), 12)).toBeGreaterThan(0)
  })

  it('gives a repeated document no gain the second time', () => {
    // [a, a, b]: gains 1, 0, 1 — the same as [a, x, b], not 1 + 1/log2(3) + …
    expect(ndcgAt(['a', 'a', 'b'], judged('a', 'b'), 10)).toBeCloseTo(0.9197207891481876, 12)
    expect(ndcgAt(['a', 'a', 'a'], judged('a'), 10)).toBe(1)
  })

  it('cuts the ideal ranking at k when there are more relevant documents than k', () => {
    const many = judged(...Array.from({ length: 12 }, (_, i) => `r${i}`))
    const ranking = Array.from({ length: 10 }, (_, i) => `r${i}`)
    expect(ndcgAt(ranking, many, 10)).toBe(1)
  })

  it('uses graded gains and ignores non-positive judgements', () => {
    const graded = new Map([['a', 2], ['b', 1], ['n', 0], ['m', -1]])
    // ranking [b, a]: DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3)
    const expected = (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3))
    expect(ndcgAt(['b', 'a'], graded, 10)).toBeCloseTo(expected, 12)
    expect(ndcgAt(['n', 'm', 'a', 'b'], graded, 10)).toBeCloseTo((2 / Math.log2(4) + 1 / Math.log2(5)) / (2 + 1 / Math.log2(3)), 12)
  })

  it('leaves out a query with no relevant document', () => {
    expect(ndcgAt(['a'], new Map(), 10)).toBeUndefined()
    expect(ndcgAt(['a'], new Map([['a', 0]]), 10)).toBeUndefined()
    expect(mean([1, undefined, 0.5])).toBe(0.75)
  })
})

describe('Recall@100', () => {
  it('counts the share of relevant documents in the top k', () => {
    expect(recallAt(['a', 'x', 'b'], judged('a', 'b', 'c'), 100)).toBeCloseTo(2 / 3, 12)
    expect(recallAt(['x', 'a'], judged('a'), 1)).toBe(0)
    expect(recallAt([], judged('a'), 100)).toBe(0)
    expect(recallAt(['a', 'a'], judged('a', 'b'), 100)).toBe(0.5)
    expect(recallAt(['a'], new Map(), 100)).toBeUndefined()
  })
})
