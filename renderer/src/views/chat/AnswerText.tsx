import { useMemo, type MouseEvent } from 'react';
import { renderAnswer } from '../../lib/markdown.js';
import type { AnswerSource } from '../../lib/types.js';

interface Props {
  text: string;
  sources: AnswerSource[] | null;
  streaming: boolean;
  /** The latest answer is the one read out by screen readers as it streams. */
  live: boolean;
  onCite(n: number): void;
}

/**
 * The answer as markdown. renderAnswer escapes any HTML in the model's text, so the only markup
 * here is markdown-it's own and the citation chips; their clicks are handled by delegation.
 */
export function AnswerText({ text, sources, streaming, live, onCite }: Props) {
  const known = useMemo(() => (sources ? new Set(sources.map((s) => s.n)) : null), [sources]);
  const html = useMemo(() => renderAnswer(text, known), [text, known]);
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const chip = (event.target as HTMLElement).closest<HTMLElement>('[data-cite]');
    if (chip?.dataset.cite) onCite(Number(chip.dataset.cite));
  };
  return (
    <div
      className="answer-text markdown"
      data-testid="answer-text"
      data-streaming={streaming ? 'true' : 'false'}
      aria-live={live ? 'polite' : undefined}
      aria-busy={streaming}
      onClick={onClick}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
