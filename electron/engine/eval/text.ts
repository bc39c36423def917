/** Citation markers such as [1], [2, 3] or [4-5]: they are not part of what an answer says. */
const CITATION_MARKER = /\[\d+(?:\s*(?:,|-|–)\s*\d+)*\]/g;

/**
 * SQuAD-style normalisation: lower case, accents and punctuation removed, articles dropped,
 * whitespace collapsed. Two answers that differ only in these ways are the same answer.
 */
export function normalizeText(text: string): string {
  return tokens(text).join(' ');
}

const ARTICLES = new Set(['a', 'an', 'the']);

export function tokens(text: string): string[] {
  return text
    .replace(CITATION_MARKER, ' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '' && !ARTICLES.has(t));
}

const STOP_WORDS = new Set(
  ('and or but of to in on at by for with from as is are was were be been being it its this that these those i you he she we they ' +
    'me him her us them my your his our their what which who whom how when where why not no do does did have has had will would ' +
    'can could should may might must so than then there here if about into').split(' '),
);

/** Tokens that carry meaning: a passage "contains" an answer when it holds these. */
export function contentTokens(text: string): string[] {
  const all = tokens(text);
  const content = all.filter((t) => !STOP_WORDS.has(t));
  return content.length > 0 ? content : all;
}

/** Phrases by which an answer says the library does not hold the answer. */
const ABSTENTION = new RegExp(
  [
    "(?:does|do)\\s*(?:not|n't)\\s+(?:contain|mention|say|include|cover)",
    "(?:could|can|did)\\s*(?:not|n't)\\s+find",
    'no (?:information|mention|passage|answer)',
    'not (?:mentioned|found|in the (?:library|documents|passages))',
    "(?:i|we) (?:do\\s*(?:not|n't)|don't) know",
    "(?:cannot|can't|unable to) answer",
  ].join('|'),
  'i',
);

export function soundsLikeAbstention(answer: string): boolean {
  return ABSTENTION.test(answer.replace(/’/g, "'"));
}
