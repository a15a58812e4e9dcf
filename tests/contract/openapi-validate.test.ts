import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '../../src/openapi'

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1 with an independent validator', async () => {
    const validator = new Validator()
    const result = await validator.validate(JSON.parse(JSON.stringify(openApiDocument())))
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('is rejected by the validator when broken, so the check can fail', async () => {
    const broken = JSON.parse(JSON.stringify(openApiDocument()))
    broken.paths['/search'].get.responses = 'none'
    const result = await new Validator().validate(broken)
    expect(result.valid).toBe(false)
  })
})
