import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWranglerDev, type DevServer } from './wrangler-dev'

describe('wrangler dev, end to end', () => {
  let server: DevServer

  beforeAll(async () => {
    server = await startWranglerDev()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('answers "putin syria" with the seed article first', async () => {
    const response = await fetch(`${server.url}/search?q=putin+syria`)
    expect(response.status).toBe(200)
    const body: any = await response.json()
    expect(body.hits[0]).toMatchObject({ id: 'putin-meets-syria-on-defense-industry', date: '2025-12-24', source: 'Clash Report' })
  })

  it('filters "oil prices" to crude and counts them all', async () => {
    const body: any = await (await fetch(`${server.url}/search?q=oil+prices&topic=crude&limit=20`)).json()
    expect(body.total).toBeGreaterThan(body.hits.length)
    for (const hit of body.hits) expect(hit.topics).toContain('crude')
  })

  it('answers a bad parameter with a JSON 400 and CORS headers', async () => {
    const response = await fetch(`${server.url}/search?limit=abc`, { headers: { Origin: 'https://news.example' } })
    expect(response.status).toBe(400)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(((await response.json()) as any).error.parameter).toBe('limit')
  })
})
