/**
 * Topic-precision queries: each is written from what the topic means (not
 * from its slug alone), and is judged by whether the top 10 hits carry that
 * topic in the collection's own labels.
 *
 * Reuters-21578 slugs are the collection's TOPICS codes (see GET /topics over
 * `data/`); BBC News has five topics, one per article.
 */
export interface TopicQuery {
  /** Topic slug in the collection, as GET /topics lists it. */
  topic: string
  q: string
}

/** Reuters-21578: 22 topics, one query each. */
export const REUTERS_TOPIC_QUERIES: TopicQuery[] = [
  { topic: 'cocoa', q: 'cocoa' },
  { topic: 'coffee', q: 'coffee prices' },
  { topic: 'gold', q: 'gold' },
  { topic: 'crude', q: 'crude oil' },
  { topic: 'wheat', q: 'wheat exports' },
  { topic: 'interest', q: 'interest rates' },
  { topic: 'money-supply', q: 'money supply' },
  { topic: 'trade', q: 'trade deficit' },
  { topic: 'sugar', q: 'sugar' },
  { topic: 'copper', q: 'copper' },
  { topic: 'earn', q: 'quarterly net profit per share' },
  { topic: 'acq', q: 'takeover bid for the company' },
  { topic: 'money-fx', q: 'central bank currency intervention' },
  { topic: 'grain', q: 'grain harvest' },
  { topic: 'ship', q: 'shipping freight vessels' },
  { topic: 'nat-gas', q: 'natural gas' },
  { topic: 'gnp', q: 'gross national product growth' },
  { topic: 'cpi', q: 'consumer prices inflation' },
  { topic: 'jobs', q: 'unemployment rate' },
  { topic: 'iron-steel', q: 'steel production' },
  { topic: 'livestock', q: 'cattle and hog herds' },
  { topic: 'bop', q: 'current account balance of payments' },
]

/** BBC News: 5 topics, four queries each. */
export const BBC_TOPIC_QUERIES: TopicQuery[] = [
  { topic: 'business', q: 'company profits' },
  { topic: 'business', q: 'economic growth' },
  { topic: 'business', q: 'shares fell on the stock market' },
  { topic: 'business', q: 'oil prices' },
  { topic: 'entertainment', q: 'film box office' },
  { topic: 'entertainment', q: 'album music chart' },
  { topic: 'entertainment', q: 'best actress award' },
  { topic: 'entertainment', q: 'tv show' },
  { topic: 'politics', q: 'general election campaign' },
  { topic: 'politics', q: 'labour and the conservatives' },
  { topic: 'politics', q: 'prime minister' },
  { topic: 'politics', q: 'home secretary bill' },
  { topic: 'sport', q: 'football match' },
  { topic: 'sport', q: 'cricket test series' },
  { topic: 'sport', q: 'tennis champion' },
  { topic: 'sport', q: 'world cup coach' },
  { topic: 'tech', q: 'mobile phones' },
  { topic: 'tech', q: 'broadband internet' },
  { topic: 'tech', q: 'software security virus' },
  { topic: 'tech', q: 'video games console' },
]
