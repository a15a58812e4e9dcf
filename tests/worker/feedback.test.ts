import { env as testEnv } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Bindings } from '../../src/app'
import { assetSource, loadSearchIndex, type SearchIndex } from '../../src/search-index'
import { rank, planQuery, QUERY_OPTIONS } from '../../src/search'
import { FEEDBACK, expansionTerms, feedbackApplies, feedbackRerank, maxDf } from '../../eval/feedback'

const env = testEnv as unknown as Bindings

/**
 * Pseudo-relevance feedback (`eval/feedback.ts`): an in-process
 * experiment of docs/relevance.md, off in the Worker (`search()` passes no
 * setting). These tests keep its invariants: it re-orders a relaxed result
 * set and never changes it, and it does nothing where its rule says so.
 */
let index: SearchIndex
beforeAll(async () => {
  index = await loadSearchIndex(assetSource(env.ASSETS))
})

// A sentence whose ten content words no single Reuters story has together: relaxed to OR.
const LONG = 'farmers expect drought to cut wheat harvest and raise grain export prices'
const request = (q: string, limit = 50) => ({ q, topics: [], limit, offset: 0 })

describe('pseudo-relevance feedback (off in the Worker)', () => {
  it('re-orders the relaxed result set of a long query, with the same total, set and facets', async () => {
    const plain = await rank(index, request(LONG, 100_000))
    const fed = await rank(index, request(LONG, 100_000), 'auto', QUERY_OPTIONS, feedbackRerank(FEEDBACK))
    expect(plain.relaxed).toBe(true)
    expect(fed.relaxed).toBe(true)
    expect(fed.total).toBe(plain.total)
    expect(fed.matched).toBe(plain.matched)
    expect(fed.facets).toEqual(plain.facets)
    expect(new Set(fed.ranked.map((hit) => hit.n))).toEqual(new Set(plain.ranked.map((hit) => hit.n)))
    // It does something: the top 10 is not the first pass's.
    expect(fed.ranked.slice(0, 10).map((hit) => hit.n)).not.toEqual(plain.ranked.slice(0, 10).map((hit) => hit.n))
  })

  it('is the first pass exactly at weight 0, for a short query, for an AND match, and under sort=date', async () => {
    const same = async (q: string, feedback = FEEDBACK, sort?: 'date') => {
      const plain = await rank(index, { ...request(q), sort })
      const fed = await rank(index, { ...request(q), sort }, 'auto', QUERY_OPTIONS, feedbackRerank(feedback))
      expect(fed.ranked).toEqual(plain.ranked)
    }
    await same(LONG, { ...FEEDBACK, weight: 0 })
    await same('putin cocoa') // relaxed, but 2 terms < minTerms
    await same('opec crude oil output quotas prices') // AND matches: never expanded
    await same(LONG, FEEDBACK, 'date')
  })

  it('applies only to relaxed queries of at least minTerms distinct terms', () => {
    const { plan } = planQuery(index, LONG)
    expect(feedbackApplies(plan, true, FEEDBACK)).toBe(true)
    expect(feedbackApplies(plan, false, FEEDBACK)).toBe(false)
    expect(feedbackApplies(planQuery(index, 'oil prices').plan, true, FEEDBACK)).toBe(false)
  })

  it('picks terms of the feedback articles, weighted to `weight` × the distinct query terms', async () => {
    const first = await rank(index, request(LONG, FEEDBACK.docs))
    const articles = await index.articles(first.ranked.map((hit) => hit.n))
    const expansion = expansionTerms(index.engine, first.plan!.terms, articles, first.ranked.map((hit) => hit.score), FEEDBACK)
    expect(expansion.size).toBeGreaterThan(0)
    expect(expansion.size).toBeLessThanOrEqual(FEEDBACK.terms)
    const total = [...expansion.values()].reduce((sum, w) => sum + w, 0)
    expect(total).toBeCloseTo(FEEDBACK.weight * new Set(first.plan!.terms).size, 9)
    for (const term of expansion.keys()) {
      expect(index.engine.dictionary.find(term)).toBeGreaterThanOrEqual(0)
      expect(maxDf(index.engine.dictionary, index.engine.dictionary.find(term))).toBeLessThanOrEqual(FEEDBACK.maxDf * index.engine.layout.documentCount)
    }
  })
})
