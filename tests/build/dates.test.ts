import { describe, expect, it } from 'vitest'
import { dateSortKey, parseDate } from '../../index-build/dates'

describe('parseDate', () => {
  it.each([
    // ISO forms
    ['2025-12-24', '2025-12-24'],
    ['2025-12-24T10:05', '2025-12-24T10:05:00'],
    ['2025-12-24T10:05:09', '2025-12-24T10:05:09'],
    ['2025-12-24 10:05:09', '2025-12-24T10:05:09'],
    ['1987-02-26T15:01:01.79', '1987-02-26T15:01:01.790'],
    ['1987-02-26T15:01:01.7', '1987-02-26T15:01:01.700'],
    ['2025-12-24T10:05:09.123456', '2025-12-24T10:05:09.123'],
    ['2025-12-24T10:05:09Z', '2025-12-24T10:05:09Z'],
    ['2025-12-24T10:05:09.5+01:00', '2025-12-24T10:05:09.500+01:00'],
    ['2025-12-24T10:05:09-0530', '2025-12-24T10:05:09-05:30'],
    // Month D, YYYY (the seed's third line)
    ['December 24, 2025', '2025-12-24'],
    ['Dec 24, 2025', '2025-12-24'],
    ['dec 4 2025', '2025-12-04'],
    // dd/mm/yyyy (the seed's "Related News")
    ['24/12/2025', '2025-12-24'],
    ['1/2/2024', '2024-02-01'],
    ['29/02/2024', '2024-02-29'],
    // Reuters SGML
    ['26-FEB-1987 15:01:01.79', '1987-02-26T15:01:01.790'],
    ['26-FEB-1987', '1987-02-26'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseDate(input)).toEqual({ date: expected })
  })

  it.each([
    ['31/02/2025', 'invalid date "31/02/2025": February 2025 has 28 days'],
    ['29/02/2025', 'invalid date "29/02/2025": February 2025 has 28 days'],
    ['2025-13-01', 'invalid date "2025-13-01": month 13 does not exist'],
    ['2025-04-31', 'invalid date "2025-04-31": April 2025 has 30 days'],
    ['2025-12-24T24:00:00', 'invalid date "2025-12-24T24:00:00": time out of range'],
    ['31-MAR-1987 605:12:19.12', 'unreadable date "31-MAR-1987 605:12:19.12"'],
    ['Smarch 3, 2025', 'unreadable date "Smarch 3, 2025"'],
    ['yesterday', 'unreadable date "yesterday"'],
  ])('refuses %s', (input, error) => {
    expect(parseDate(input)).toEqual({ error })
  })
})

describe('dateSortKey', () => {
  it('orders in time, whatever the form and zone', () => {
    const dates = ['2025-12-24', '2025-12-24T10:00:00+02:00', '2025-12-24T09:00:00Z', '2025-12-23T23:59:59.999']
    const sorted = [...dates].sort((a, b) => dateSortKey(a) - dateSortKey(b))
    expect(sorted).toEqual(['2025-12-23T23:59:59.999', '2025-12-24', '2025-12-24T10:00:00+02:00', '2025-12-24T09:00:00Z'])
  })

  it('reads years before 100 literally', () => {
    expect(new Date(dateSortKey('0050-01-01')).getUTCFullYear()).toBe(50)
  })
})
