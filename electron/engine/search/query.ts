import { stemmer } from 'stemmer';

/** At most this many distinct terms of a query are searched; the rarest are kept. */
export const MAX_QUERY_TERMS = 32;

/** A query term as the index sees it: lower-cased, accents removed, Porter-stemmed (FTS5's `porter unicode61 remove_diacritics 2`). */
export interface QueryTerm {
  word: string;
  stem: string;
}

export function fold(text: string): string {
  // ASCII has nothing to decompose; skipping normalize() makes this ~10x faster for most text.
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

const stems = new Map<string, string>();

/** A folded word's index term: Porter stem for plain letters, else the word itself. */
export function stemOf(word: string): string {
  let stem = stems.get(word);
  if (stem === undefined) {
    if (stems.size > 200_000) stems.clear();
    stems.set(word, (stem = /^[a-z]+$/.test(word) ? stemmer(word) : word));
  }
  return stem;
}

/**
 * The words of a text as FTS5's `unicode61 remove_diacritics 2` tokenizer cuts it: runs of
 * letters, digits and private-use characters, folded. (`fts5-stats` checks the counts against
 * FTS5's own, so a text this cuts differently is noticed.)
 */
export function textWords(text: string): string[] {
  return /^[\x00-\x7f]*$/.test(text) ? (text.toLowerCase().match(/[a-z0-9]+/g) ?? []) : (fold(text).match(/[\p{L}\p{N}\p{Co}]+/gu) ?? []);
}

/**
 * A passage's three indexed columns (text, heading path joined as migration 002 indexes it, file)
 * cut into words, each column's count checked against FTS5's own `sizes`; on a mismatch, which column
 * differs and how.
 */
export function indexedColumnWords(text: string, headingPathJson: string, relativePath: string, sizes: ArrayLike<number>): string[][] | string {
  const columns = [text, (JSON.parse(headingPathJson) as string[]).join(' / '), relativePath];
  const words = columns.map(textWords);
  for (let c = 0; c < columns.length; c++) {
    if (words[c]!.length !== sizes[c]) return `column ${c}: ${words[c]!.length} words here, ${sizes[c]} in FTS5`;
  }
  return words;
}

/** Words of a query; punctuation, FTS5 operators and quotes are never passed through as syntax. */
export function queryTerms(query: string): QueryTerm[] {
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  for (const word of fold(query).match(/[\p{L}\p{N}]+/gu) ?? []) {
    const stem = stemOf(word);
    if (seen.has(stem)) continue;
    seen.add(stem);
    terms.push({ word, stem });
  }
  return terms;
}

/** A term as an FTS5 string literal: always quoted, so `AND`, `NEAR`, `*` or `"` in a query are just words. */
export function ftsLiteral(word: string): string {
  return `"${word.replace(/"/g, '""')}"`;
}

/**
 * Tokens a user means literally: error codes, identifiers, version numbers, names written with
 * capitals mid-query (`E4021`, `getUserById`, `v2.3.1`, `HTTP`, `... from Ravensworth`).
 */
export function exactTokens(query: string): string[] {
  const tokens = query.match(/[\p{L}\p{N}][\p{L}\p{N}_.-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? [];
  return tokens.filter((token, index) => /\p{N}/u.test(token) || /[_]/.test(token) || /.\p{Lu}/u.test(token) || (index > 0 && /^\p{Lu}/u.test(token)));
}

/** Function words that match nearly every passage; dropped from lexical queries that have other words. */
export const STOPWORDS = new Set(
  ('a about above after again all also am an and any are as at be because been before being below between both but by can could did do does doing ' +
    'down during each either few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no ' +
    'nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they ' +
    'this those through to too under until up very was we were what when where which while who whom why will with would you your yours tell show give find please')
    .split(' '),
);

export function withoutStopwords(terms: QueryTerm[]): QueryTerm[] {
  const content = terms.filter((t) => !STOPWORDS.has(t.word));
  return content.length > 0 ? content : terms;
}
