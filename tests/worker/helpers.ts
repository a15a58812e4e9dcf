import { SELF } from 'cloudflare:test'

/** GET a path of the Worker under test and parse its JSON body. */
export async function getJson<T = any>(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await SELF.fetch(`http://search.test${path}`, init)
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

export const SEED_ID = 'putin-meets-syria-on-defense-industry'
