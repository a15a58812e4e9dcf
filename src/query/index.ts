/**
 * The query language: one parser that turns what a reader types into a
 * query tree that the search engine runs.
 *
 * | syntax | meaning |
 * |---|---|
 * | `oil prices` | every word must match (AND); the engine may relax to any word |
 * | `"crude oil"` | a phrase: the words adjacent and in order |
 * | `-word`, `-"a phrase"` | exclude articles that match |
 * | `opec OR saudi` | either word (binds tighter than the implicit AND) |
 * | `title:opec`, `title:"oil prices"` | a word or phrase in one field (title, summary, body, topics) |
 *
 * The parser never throws. A syntax error (an unbalanced quote, a dangling
 * `OR`, a lone `-`) falls back to the plain words, and the tree says so in
 * `notices`, which the API returns to the client.
 *
 * @example
 * ```ts
 * parseQuery('"crude oil" -gasoline opec OR saudi title:price')
 * // { groups: [[phrase crude oil], [term opec, term saudi], [term price in title]],
 * //   excluded: [term gasoline], notices: [] }
 * ```
 */
import type { IndexedField } from '../index-format'

/** Fields a clause may be scoped to with `field:`. */
export const SCOPABLE_FIELDS: readonly IndexedField[] = ['title', 'summary', 'body', 'topics']

export interface TermClause {
  kind: 'term'
  /** The word as typed (not yet analyzed). */
  text: string
  /** Only this field, when scoped with `field:`. */
  field?: IndexedField
}

export interface PhraseClause {
  kind: 'phrase'
  /** The words of the phrase as typed, in order. */
  words: string[]
  field?: IndexedField
}

export type Clause = TermClause | PhraseClause

export interface QueryTree {
  /** Every group must match; a group matches when any of its clauses does. */
  groups: Clause[][]
  /** Articles matching any of these are removed. */
  excluded: Clause[]
  /** What the parser could not read as syntax, and what it did instead. */
  notices: string[]
}

type Token =
  | { type: 'word'; text: string; negated: boolean; field?: IndexedField }
  | { type: 'phrase'; words: string[]; negated: boolean; field?: IndexedField }
  | { type: 'or' }

const FIELD_PREFIX = new RegExp(`^(${SCOPABLE_FIELDS.join('|')}):`, 'i')
const QUOTES = /["“”„]/g
const WORD_CHARS = /[\p{L}\p{N}]/u

/** Parses a query string. Never throws. */
export function parseQuery(input: string): QueryTree {
  const notices: string[] = []
  let text = input
  if (((text.match(QUOTES) ?? []).length) % 2 === 1) {
    notices.push('unbalanced quote: searched the words without phrase syntax')
    text = text.replace(QUOTES, ' ')
  }
  return assemble(lex(text.replace(QUOTES, '"'), notices), notices)
}

/** Splits the input into words, phrases and OR operators. */
function lex(text: string, notices: string[]): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++
      continue
    }
    const start = i
    let negated = false
    if (text[i] === '-' && i + 1 < text.length && !/\s/.test(text[i + 1]!)) {
      negated = true
      i++
    }
    let field: IndexedField | undefined
    const scoped = FIELD_PREFIX.exec(text.slice(i))
    if (scoped && i + scoped[0].length < text.length && !/\s/.test(text[i + scoped[0].length]!)) {
      field = scoped[1]!.toLowerCase() as IndexedField
      i += scoped[0].length
    }
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1)
      const words = text.slice(i + 1, close).split(/\s+/).filter((word) => WORD_CHARS.test(word))
      i = close + 1
      if (words.length > 0) tokens.push({ type: 'phrase', words, negated, field })
      continue
    }
    while (i < text.length && !/\s/.test(text[i]!) && text[i] !== '"') i++
    const word = text.slice(start, i)
    const bare = text.slice(start + (negated ? 1 : 0) + (field ? field.length + 1 : 0), i)
    if (word === 'OR') tokens.push({ type: 'or' })
    else if (WORD_CHARS.test(bare)) tokens.push({ type: 'word', text: bare, negated, field })
    else if (negated || field) notices.push(`ignored "${word.slice(0, 20)}": nothing to search after the operator`)
  }
  return tokens
}

/** Groups the tokens: `OR` joins its neighbours, everything else is AND. */
function assemble(tokens: Token[], notices: string[]): QueryTree {
  const groups: Clause[][] = []
  const excluded: Clause[] = []
  let joinNext = false
  tokens.forEach((token, index) => {
    if (token.type === 'or') {
      const previous = tokens[index - 1]
      const next = tokens[index + 1]
      if (!previous || previous.type === 'or' || !next || next.type === 'or' || isNegated(previous) || isNegated(next)) {
        notices.push('OR needs a word on each side: searched it as a plain word')
        groups.push([{ kind: 'term', text: 'or' }])
        joinNext = false
        return
      }
      joinNext = true
      return
    }
    const clause = toClause(token)
    if (token.negated) {
      excluded.push(clause)
    } else if (joinNext && groups.length > 0) {
      groups[groups.length - 1]!.push(clause)
    } else {
      groups.push([clause])
    }
    joinNext = false
  })
  if (groups.length === 0 && excluded.length > 0) {
    notices.push('a query of exclusions only matches nothing: searched the excluded words instead')
    return { groups: excluded.map((clause) => [clause]), excluded: [], notices }
  }
  return { groups, excluded, notices }
}

function isNegated(token: Token): boolean {
  return token.type !== 'or' && token.negated
}

function toClause(token: Exclude<Token, { type: 'or' }>): Clause {
  const field = token.field ? { field: token.field } : {}
  return token.type === 'phrase' ? { kind: 'phrase', words: token.words, ...field } : { kind: 'term', text: token.text, ...field }
}

/** Every word the tree searches for, in order (for snippets and suggestions). */
export function positiveWords(tree: QueryTree): string[] {
  return tree.groups.flat().flatMap((clause) => (clause.kind === 'phrase' ? clause.words : [clause.text]))
}
