/**
 * Plain UTF-16 code-unit order, the one sort order of the build. Unlike
 * `localeCompare` it does not depend on the machine's ICU data or locale, so
 * the same input gives the same bytes everywhere.
 *
 * @example
 * ```ts
 * ['b', 'a', 'Z'].sort(compareCodeUnits) // ['Z', 'a', 'b']
 * ```
 */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
