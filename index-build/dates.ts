/**
 * Date reading: every accepted input form becomes one ISO 8601 string.
 *
 * Output forms (the `StoredArticle.date` contract in `src/index-format`):
 * - date only → `YYYY-MM-DD`
 * - with a time → `YYYY-MM-DDTHH:MM:SS`, plus `.sss` only when the source had a
 *   fraction (padded or cut to 3 digits, never rounded, so no carry can change
 *   the day), plus `Z` or `±HH:MM` only when the source had a zone.
 *
 * Accepted input forms:
 * - ISO: `2025-12-24`, `2025-12-24T10:00`, `1987-02-26T15:01:01.79`, `…Z`, `…+01:00`
 * - month name: `December 24, 2025`, `Dec 24, 2025`
 * - `dd/mm/yyyy`: `24/12/2025` (day first, as in the seed's "Related News")
 * - Reuters SGML: `26-FEB-1987 15:01:01.79`
 *
 * The calendar is checked (`31/02/2025` is an error), because a date that
 * cannot exist would sort somewhere arbitrary and mislead readers.
 *
 * @example
 * ```ts
 * parseDate('December 24, 2025')        // { date: '2025-12-24' }
 * parseDate('26-FEB-1987 15:01:01.79')  // { date: '1987-02-26T15:01:01.790' }
 * parseDate('31/02/2025')               // { error: 'invalid date "31/02/2025": February 2025 has 28 days' }
 * ```
 */

export type DateResult = { date: string; error?: undefined } | { date?: undefined; error: string }

const MONTH_NAMES = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
]

/** Month number (1–12) of a full or 3-letter English month name, any case; 0 if unknown. */
function monthNumber(name: string): number {
  const lower = name.toLowerCase()
  const full = MONTH_NAMES.indexOf(lower)
  if (full >= 0) return full + 1
  if (lower.length === 3) return MONTH_NAMES.findIndex((month) => month.startsWith(lower)) + 1
  if (lower === 'sept') return 9
  return 0
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i
const MONTH_DAY_YEAR = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/
const DAY_MONTH_YEAR = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/
const REUTERS = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?)?$/

/**
 * Prefixes that may start a line where a date is glued to more text, as in the
 * seed's third line `December 24, 2025Clash Report`. Used by the text format.
 */
export const DATE_PREFIXES: readonly RegExp[] = [
  /^([A-Za-z]+\.?\s+\d{1,2},?\s+\d{4})(.*)$/s,
  /^(\d{1,2}\/\d{1,2}\/\d{4})(.*)$/s,
  /^(\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)(.*)$/s,
  /^(\d{1,2}-[A-Za-z]{3}-\d{4}(?:\s+\d{1,2}:\d{2}:\d{2}(?:\.\d+)?)?)(.*)$/s,
]

interface Parts {
  year: number
  month: number
  day: number
  /** Absent for a date-only value. */
  time?: { hour: number; minute: number; second: number; fraction?: string; zone?: string }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

/** Checks the calendar and clock; returns a reason when the parts cannot exist. */
function checkParts(parts: Parts): string | undefined {
  const { year, month, day, time } = parts
  if (year < 1) return 'year 0000 does not exist'
  if (month < 1 || month > 12) return `month ${month} does not exist`
  const days = daysInMonth(year, month)
  if (day < 1 || day > days) {
    const name = MONTH_NAMES[month - 1]!
    return `${name[0]!.toUpperCase()}${name.slice(1)} ${year} has ${days} days`
  }
  if (time) {
    if (time.hour > 23 || time.minute > 59 || time.second > 59) return 'time out of range'
    const zone = time.zone?.match(/^[+-](\d{2}):(\d{2})$/)
    if (zone && (Number(zone[1]) > 23 || Number(zone[2]) > 59)) return 'time zone offset out of range'
  }
  return undefined
}

function format(parts: Parts): string {
  const date = `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}`
  const { time } = parts
  if (!time) return date
  const fraction = time.fraction === undefined ? '' : `.${time.fraction.slice(0, 3).padEnd(3, '0')}`
  return `${date}T${pad(time.hour)}:${pad(time.minute)}:${pad(time.second)}${fraction}${time.zone ?? ''}`
}

/** `Z`, `+02`, `+0200`, `+02:00` → `Z` or `+02:00`. */
function normalizeZone(zone: string | undefined): string | undefined {
  if (zone === undefined) return undefined
  if (zone.toUpperCase() === 'Z') return 'Z'
  const digits = zone.slice(1).replace(':', '').padEnd(4, '0')
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2)}`
}

function toParts(text: string): Parts | undefined {
  let match = ISO.exec(text)
  if (match) {
    const [, year, month, day, hour, minute, second, fraction, zone] = match
    return {
      year: Number(year), month: Number(month), day: Number(day),
      time: hour === undefined ? undefined : {
        hour: Number(hour), minute: Number(minute), second: Number(second ?? 0), fraction, zone: normalizeZone(zone),
      },
    }
  }
  match = MONTH_DAY_YEAR.exec(text)
  if (match) {
    const month = monthNumber(match[1]!)
    return month ? { year: Number(match[3]), month, day: Number(match[2]) } : undefined
  }
  match = DAY_MONTH_YEAR.exec(text)
  if (match) return { year: Number(match[3]), month: Number(match[2]), day: Number(match[1]) }
  match = REUTERS.exec(text)
  if (match) {
    const month = monthNumber(match[2]!)
    if (!month) return undefined
    const [, day, , year, hour, minute, second, fraction] = match
    return {
      year: Number(year), month, day: Number(day),
      time: hour === undefined ? undefined : { hour: Number(hour), minute: Number(minute), second: Number(second), fraction },
    }
  }
  return undefined
}

/** Reads one date in any accepted form. Never throws: problems come back as `error`. */
export function parseDate(input: string): DateResult {
  const text = input.trim()
  const parts = toParts(text)
  if (!parts) return { error: `unreadable date "${text}"` }
  const problem = checkParts(parts)
  if (problem) return { error: `invalid date "${text}": ${problem}` }
  return { date: format(parts) }
}

/**
 * A number that orders ISO dates written by {@link parseDate} in time:
 * milliseconds since 1970 in UTC. Values without a zone are read as UTC, so the
 * order never depends on the machine's time zone.
 */
export function dateSortKey(iso: string): number {
  const match = ISO.exec(iso)
  if (!match) return Number.NaN
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'))
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const instant = new Date(Date.UTC(2000, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), ms))
  let key = instant.setUTCFullYear(Number(year))
  const offset = zone && zone !== 'Z' ? /^([+-])(\d{2}):(\d{2})$/.exec(zone) : null
  if (offset) key -= (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000
  return key
}
