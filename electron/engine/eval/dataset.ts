import type { StoredQuestion } from './store.js';

export type DatasetFormat = 'chat' | 'alpaca';

export const DATASET_SYSTEM_PROMPT = "You answer questions about the user's documents.";

export interface DatasetOptions {
  format: DatasetFormat;
  /** Put the source passage in the prompt (training for retrieval-style answering); otherwise the model must learn the facts. */
  withContext?: boolean;
  systemPrompt?: string;
}

/**
 * One training record per pair in the formats LoRA trainers read: `chat` is the OpenAI-style
 * `messages` list (Unsloth, Axolotl, TRL), `alpaca` is `{instruction, input, output}`.
 */
export function toTrainingRecord(q: StoredQuestion, options: DatasetOptions): Record<string, unknown> {
  const answer = q.answer ?? '';
  const context = options.withContext && q.context ? q.context.trim() : '';
  if (options.format === 'alpaca') return { instruction: q.question, input: context, output: answer };
  const user = context ? `Passage:\n${context}\n\nQuestion: ${q.question}` : q.question;
  return {
    messages: [
      { role: 'system', content: options.systemPrompt ?? DATASET_SYSTEM_PROMPT },
      { role: 'user', content: user },
      { role: 'assistant', content: answer },
    ],
  };
}

export function toJsonLines(questions: readonly StoredQuestion[], options: DatasetOptions): string {
  const lines = questions.filter((q) => q.answerable && q.answer !== null).map((q) => JSON.stringify(toTrainingRecord(q, options)));
  return lines.map((line) => `${line}\n`).join('');
}
