import type { SearchResult } from '../search/searcher.js';

export interface PackedPassage {
  /** The number the model cites: [n]. */
  n: number;
  result: SearchResult;
}

export interface PackedPrompt {
  user: string;
  passages: PackedPassage[];
  /** Passages left out because they did not fit, in rank order: never cut, always reported. */
  dropped: SearchResult[];
  /** Tokens the whole rendered chat (system, history, this message) costs. */
  promptTokens: number;
  budget: number;
}

export interface PackOptions {
  question: string;
  results: readonly SearchResult[];
  /** Tokens available for the prompt: context size minus the room kept for the answer. */
  budget: number;
  /** Counts the tokens of the full chat if this user message were sent (the model's own tokenizer and template). */
  countTokens: (userMessage: string) => number;
  /** Counts the tokens of plain text (for pricing each passage once). */
  countText: (text: string) => number;
}

export function locationOf(result: SearchResult): string {
  const parts = [result.relativePath];
  if (result.page !== null) parts.push(result.kind === 'pptx' ? `slide ${result.page}` : `page ${result.page}`);
  if (result.sheet) parts.push(result.rows ? `sheet ${result.sheet}, rows ${result.rows[0]}-${result.rows[1]}` : `sheet ${result.sheet}`);
  if (result.ocrConfidence !== undefined) parts.push('OCR');
  if (result.lines) parts.push(result.lines[0] === result.lines[1] ? `line ${result.lines[0]}` : `lines ${result.lines[0]}-${result.lines[1]}`);
  if (result.headingPath.length > 0) parts.push(result.headingPath.join(' > '));
  return parts.join(', ');
}

function block(p: PackedPassage): string {
  return `[${p.n}] (${locationOf(p.result)})\n${p.result.text.trim()}`;
}

function render(question: string, passages: readonly PackedPassage[]): string {
  return `Passages:\n\n${passages.map(block).join('\n\n')}\n\nQuestion: ${question.trim()}`;
}

/**
 * Packs whole passages, best first, into the prompt while the rendered chat stays within the
 * budget measured with the model's own tokenizer. A passage that does not fit is skipped and
 * reported (a smaller one after it may still fit); no passage is ever cut.
 */
export function packPrompt(options: PackOptions): PackedPrompt {
  const passages: PackedPassage[] = [];
  const dropped: SearchResult[] = [];
  const base = options.countTokens(render(options.question, []));
  // Each passage is priced once; the sum is then checked exactly against the rendered chat.
  let estimate = base;
  for (const result of options.results) {
    const candidate = { n: passages.length + 1, result };
    const cost = options.countText(`${block(candidate)}\n\n`);
    if (estimate + cost <= options.budget) {
      passages.push(candidate);
      estimate += cost;
    } else {
      dropped.push(result);
    }
  }
  let tokens = options.countTokens(render(options.question, passages));
  while (tokens > options.budget && passages.length > 0) {
    dropped.unshift(passages.pop()!.result);
    tokens = options.countTokens(render(options.question, passages));
  }
  return { user: render(options.question, passages), passages, dropped, promptTokens: tokens, budget: options.budget };
}
