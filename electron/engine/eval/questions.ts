import { z } from 'zod';
import { QuireError } from '../errors.js';

/** Where an expected answer lives: a path relative to the library folder, or a bare file name, optionally with a page. */
export interface SourceRef {
  path: string;
  page: number | null;
}

export const QuestionLine = z
  .object({
    id: z.union([z.string().min(1), z.number().int()]).transform(String),
    question: z.string().trim().min(1, 'must not be empty'),
    answer: z.string().optional(),
    sources: z.array(z.string().trim().min(1, 'a source must not be empty')).optional(),
    answerable: z.boolean().optional(),
    /** Written by `quire dataset generate`: which half of a generated set the pair belongs to. */
    split: z.enum(['train', 'test']).optional(),
    /** Written by `quire dataset generate`: the chunk the pair was written from. */
    chunkId: z.number().int().optional(),
  })
  .refine((q) => q.answerable !== false || (q.answer === undefined && (q.sources ?? []).length === 0), {
    message: 'a question marked "answerable": false cannot have an answer or sources',
  });
export type QuestionLine = z.output<typeof QuestionLine>;

export interface EvalQuestion {
  id: string;
  question: string;
  answer: string | null;
  sources: SourceRef[];
  answerable: boolean;
  split: 'train' | 'test' | null;
  chunkId: number | null;
}

export class QuestionSetError extends QuireError {
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, 20);
    super('bad-question-set', `Invalid question set:\n  ${shown.join('\n  ')}${problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : ''}`);
  }
}

/** `guide.md`, `docs/guide.md#3`; a `#` not followed by only digits is part of the file name. */
export function parseSourceRef(text: string): SourceRef {
  const match = /^(.*)#(\d+)$/.exec(text.trim());
  const path = normalizePath(match ? match[1]! : text.trim());
  return { path, page: match ? Number(match[2]) : null };
}

export function formatSourceRef(ref: SourceRef): string {
  return ref.page === null ? ref.path : `${ref.path}#${ref.page}`;
}

export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

/** Parses JSON lines into questions, collecting every problem with its line number before failing. */
export function parseQuestionSet(text: string): EvalQuestion[] {
  const questions: EvalQuestion[] = [];
  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push(`line ${lineNo}: not valid JSON (${(error as Error).message})`);
      return;
    }
    const parsed = QuestionLine.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`line ${lineNo}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
      return;
    }
    const q = parsed.data;
    const seen = firstLine.get(q.id);
    if (seen !== undefined) {
      problems.push(`line ${lineNo}: duplicate id "${q.id}" (first on line ${seen})`);
      return;
    }
    firstLine.set(q.id, lineNo);
    questions.push(toEvalQuestion(q));
  });
  if (problems.length > 0) throw new QuestionSetError(problems);
  if (questions.length === 0) throw new QuestionSetError(['the file holds no questions']);
  return questions;
}

export function toEvalQuestion(q: QuestionLine): EvalQuestion {
  const refs = (q.sources ?? []).map(parseSourceRef);
  const unique = refs.filter((r, i) => refs.findIndex((o) => o.path === r.path && o.page === r.page) === i);
  return {
    id: q.id, question: q.question, answer: q.answer ?? null, sources: unique, answerable: q.answerable !== false,
    split: q.split ?? null, chunkId: q.chunkId ?? null,
  };
}

export function toQuestionLine(q: EvalQuestion): QuestionLine {
  const line: QuestionLine = { id: q.id, question: q.question };
  if (q.answer !== null) line.answer = q.answer;
  if (q.sources.length > 0) line.sources = q.sources.map(formatSourceRef);
  if (!q.answerable) line.answerable = false;
  if (q.split) line.split = q.split;
  if (q.chunkId !== null) line.chunkId = q.chunkId;
  return line;
}

export function serializeQuestionSet(questions: readonly EvalQuestion[]): string {
  return questions.map((q) => JSON.stringify(toQuestionLine(q))).join('\n') + '\n';
}

/** Expected sources that match no document of the library: usually a typo worth a warning. */
export function unknownSources(questions: readonly EvalQuestion[], relativePaths: readonly string[]): { id: string; source: string }[] {
  const unknown: { id: string; source: string }[] = [];
  for (const q of questions) {
    for (const ref of q.sources) {
      if (!relativePaths.some((p) => pathMatches(p, ref.path))) unknown.push({ id: q.id, source: formatSourceRef(ref) });
    }
  }
  return unknown;
}

/** A bare file name matches that file in any folder; a path must match the whole relative path. */
export function pathMatches(relativePath: string, expected: string): boolean {
  const actual = normalizePath(relativePath);
  if (expected.includes('/')) return actual === expected;
  return actual === expected || actual.slice(actual.lastIndexOf('/') + 1) === expected;
}
