import { STOPWORDS } from '../search/query.js';

/**
 * A follow-up ("and what about the second one?") searched on its own finds nothing; the
 * standalone query adds the content words of the previous questions. Deterministic and free,
 * unlike asking the model to rewrite it (which small local models do badly).
 */
export function standaloneQuery(question: string, previousQuestions: readonly string[]): string {
  if (previousQuestions.length === 0) return question;
  const own = new Set(contentWords(question));
  const context: string[] = [];
  for (const previous of previousQuestions.slice(-2).reverse()) {
    for (const word of contentWords(previous)) {
      if (!own.has(word) && !context.includes(word)) context.push(word);
    }
  }
  return context.length > 0 ? `${question} ${context.slice(0, 12).join(' ')}` : question;
}

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 && !STOPWORDS.has(w));
}
