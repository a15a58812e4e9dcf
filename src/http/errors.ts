/**
 * The JSON error body every route answers with on 4xx and 5xx.
 *
 * Error bodies never carry a stack trace, and they echo user input only as a
 * short excerpt (JSON-escaped by serialisation), so they can be shown safely.
 *
 * @example
 * ```ts
 * return c.json(errorBody(404, 'not_found', 'no article with id "x"'), 404)
 * ```
 */

export interface ErrorBody {
  error: {
    status: number
    code: string
    message: string
    /** The query parameter at fault, for 400s. */
    parameter?: string
    /** What the parameter allows, in words. */
    allowed?: string
  }
}

/** Longest piece of user input echoed back in an error message. */
export const MAX_ECHO = 40

export function errorBody(status: number, code: string, message: string, extra: { parameter?: string; allowed?: string } = {}): ErrorBody {
  return { error: { status, code, message, ...extra } }
}

/** A short excerpt of user input for an error message. */
export function excerpt(input: string): string {
  return input.length > MAX_ECHO ? `${input.slice(0, MAX_ECHO)}…` : input
}
