/**
 * The analyzer: how text becomes index terms.
 *
 * This is the one module that decides tokenizing, folding, stemming and stop
 * words. The build (`index-build/`) and the Worker (`src/`) both import it, so
 * the terms written into the index and the terms looked up at query time can
 * never drift apart. It must stay free of Node-only APIs.
 *
 * Steps, in order, for every token:
 * 1. Unicode NFKC normalisation (full-width letters, ligatures → plain forms).
 * 2. Case folding (`toLowerCase`).
 * 3. Diacritic folding: NFD, then drop combining marks (é → e).
 * 4. Apostrophes: curly (’ ‘) and straight; a trailing possessive `'s` is
 *    dropped ("Syria’s" → syria), other apostrophes are removed ("don't" → dont).
 * 5. Hyphenated words are indexed whole (joined: "al-assad" → alassad) and as
 *    their parts (al, assad), so "al-Assad", "al Assad" and "Assad" all meet.
 * 6. Stop words (configurable, default {@link ENGLISH_STOP_WORDS}) are dropped.
 * 7. English Porter stemming with the `stemmer` package (prices → price).
 *    Numbers are kept as they are ("5.93", "1987").
 *
 * @example
 * ```ts
 * import { analyze } from './analyzer'
 * analyze('Syria’s defense-industry prices') // ['syria', 'defenseindustri', 'defens', 'industri', 'price']
 * ```
 */
import { stemmer } from 'stemmer'

/** A token of the original text with its UTF-16 offsets, used for snippets. */
export interface Token {
  /** The raw text of the token as it appears in the source. */
  text: string
  /** Offset of the first code unit in the source string. */
  start: number
  /** Offset one past the last code unit. */
  end: number
}

/** Options of the analyzer. Every field has a default, see {@link DEFAULT_ANALYZER_OPTIONS}. */
export interface AnalyzerOptions {
  /** Terms dropped after folding and before stemming. Default: {@link ENGLISH_STOP_WORDS}. */
  stopWords: ReadonlySet<string>
  /** Whether to stem with the Porter stemmer. Default: `true`. */
  stem: boolean
}

/**
 * A short English stop-word list: function words that carry no topic. Kept
 * short on purpose so that queries like "the who" still find something after
 * the AND→OR relaxation of the search engine.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'has', 'have', 'he',
  'her', 'his', 'if', 'in', 'into', 'is', 'it', 'its', 'of', 'on', 'or', 'our', 'she', 'so',
  'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those',
  'to', 'was', 'we', 'were', 'which', 'while', 'will', 'with', 'would', 'you', 'your',
])

export const DEFAULT_ANALYZER_OPTIONS: AnalyzerOptions = {
  stopWords: ENGLISH_STOP_WORDS,
  stem: true,
}

/**
 * A token is a run of letters and digits. Apostrophes and hyphens may join two
 * runs ("Syria’s", "al-Assad"), and `.` or `,` may join two digit runs
 * ("5.93", "1,750").
 */
const TOKEN_PATTERN = /[\p{L}\p{N}\p{M}]+(?:(?:['’‘\-‐‑]|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{N}\p{M}]+)*/gu
const COMBINING_MARKS = /\p{M}/gu
const APOSTROPHES = /['’‘]/g
const HYPHENS = /[\-‐‑]/
const POSSESSIVE = /['’‘]s$/

/** Splits text into tokens with their offsets. Pure; no normalisation yet. */
export function tokenizeWithOffsets(text: string): Token[] {
  const tokens: Token[] = []
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const start = match.index ?? 0
    tokens.push({ text: match[0], start, end: start + match[0].length })
  }
  return tokens
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u
const NUMBER_CHAR = /^\p{N}$/u

/** Class of each ASCII code: 0 not a token character, 1 a letter, 2 a digit. */
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, code) =>
  code >= 48 && code <= 57 ? 2 : (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ? 1 : 0,
)

/** 0: not a token character; 1: a letter or mark; 2: a number (\p{N}). The classes of TOKEN_PATTERN. */
function charClass(codePoint: number): number {
  if (codePoint < 128) return ASCII_CLASS[codePoint]!
  const char = String.fromCodePoint(codePoint)
  return NUMBER_CHAR.test(char) ? 2 : WORD_CHAR.test(char) ? 1 : 0
}

/** The hyphens of TOKEN_PATTERN and HYPHENS: hyphen-minus, hyphen (U+2010), non-breaking hyphen (U+2011). */
export const isHyphen = (code: number) => code === 0x2d || code === 0x2010 || code === 0x2011

/** Apostrophes and hyphens that join two runs into one token (as in TOKEN_PATTERN). */
const isJoiner = (code: number) => code === 0x27 || code === 0x2018 || code === 0x2019 || isHyphen(code)

/** The character at `i` (before the end): its class, plus its width in code units times 4 (2 for a surrogate pair; a lone surrogate is 1). */
function charInfo(text: string, i: number): number {
  const code = text.charCodeAt(i)
  if (code < 128) return ASCII_CLASS[code]! | 4
  const codePoint = text.codePointAt(i)!
  return charClass(codePoint) | (codePoint > 0xffff ? 8 : 4)
}

/** Class of the character at `j` (0 past the end). */
function classAt(text: string, j: number): number {
  if (j >= text.length) return 0
  const code = text.charCodeAt(j)
  return code < 128 ? ASCII_CLASS[code]! : charClass(text.codePointAt(j)!)
}

/**
 * Calls `visit(start, end)` for each token of `text` that starts before
 * `maxChars`, in order: the same tokens as {@link tokenizeWithOffsets}
 * (tests/worker/analyzer.test.ts checks this on generated text), found by
 * one loop over the characters instead of the regex, and without a
 * {@link Token} per token. For callers that scan long texts and keep a few
 * tokens (snippets). `joined` tells that the token is several runs joined
 * by an apostrophe, hyphen or digit separator. Returns true when tokens
 * past `maxChars` were left unvisited.
 */
export function scanTokens(text: string, visit: (start: number, end: number, joined: boolean) => void, maxChars = Infinity): boolean {
  const n = text.length
  let i = 0
  // The character at i: its class, and its width in code units (2 for a surrogate pair; a lone surrogate is 1).
  let cls = 0
  let width = 1
  while (i < n) {
    let info = charInfo(text, i)
    cls = info & 3
    width = info >> 2
    if (cls === 0) {
      i += width
      continue
    }
    if (i >= maxChars) return true
    const start = i
    let lastClass = cls
    let joined = false
    // A run of token characters, then as long as a joiner links it to another run, that run too.
    for (;;) {
      while (cls !== 0) {
        lastClass = cls
        i += width
        if (i >= n) break
        info = charInfo(text, i)
        cls = info & 3
        width = info >> 2
      }
      if (i >= n) break
      const code = text.charCodeAt(i)
      const next = classAt(text, i + 1)
      if (next === 0 || !(isJoiner(code) || ((code === 0x2e || code === 0x2c) && lastClass === 2 && next === 2))) break
      i++
      info = charInfo(text, i)
      cls = info & 3
      width = info >> 2
      joined = true
    }
    visit(start, i, joined)
  }
  return false
}

/** Splits text into raw tokens (the MiniSearch `tokenize` option). */
export function tokenize(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? []
}

/** Steps 1–4: normalisation, case and diacritic folding, apostrophes. */
export function fold(token: string): string {
  return token
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(POSSESSIVE, '')
    .replace(APOSTROPHES, '')
}

/**
 * Steps 1–7 for one raw token: returns the index terms it yields (zero, one,
 * or several for a hyphenated word). This is MiniSearch's `processTerm`.
 */
export function processTerm(token: string, options: AnalyzerOptions = DEFAULT_ANALYZER_OPTIONS): string[] {
  const folded = fold(token)
  const parts = folded.split(HYPHENS).filter((part) => part.length > 0)
  const forms = parts.length > 1 ? [parts.join(''), ...parts] : parts
  const terms: string[] = []
  for (const form of forms) {
    if (options.stopWords.has(form)) continue
    const term = options.stem && !/\d/.test(form) ? stemmer(form) : form
    if (!terms.includes(term)) terms.push(term)
  }
  return terms
}

/** Full pipeline over a text: the terms it contributes to the index, in order. */
export function analyze(text: string, options: AnalyzerOptions = DEFAULT_ANALYZER_OPTIONS): string[] {
  return tokenize(text).flatMap((token) => processTerm(token, options))
}
