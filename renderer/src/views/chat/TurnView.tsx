import { AnswerMeta } from './AnswerMeta.js';
import { AnswerText } from './AnswerText.js';
import { CopyAnswerButton } from './CopyAnswerButton.js';
import { PassageAnswer } from './PassageAnswer.js';
import { isSearchOnly, type Turn } from './useChat.js';

interface Props {
  turn: Turn;
  latest: boolean;
  active: boolean;
  onSelect(): void;
  onCite(n: number): void;
}

export function TurnView({ turn, latest, active, onSelect, onCite }: Props) {
  const mode = turn.done?.mode;
  return (
    <article className={`turn${active ? ' turn-active' : ''}`} data-testid="turn" data-mode={mode}>
      {turn.question ? (
        <div className="question" data-testid="question-text">
          {turn.question}
        </div>
      ) : null}
      <div className={`answer${mode === 'not-found' ? ' answer-not-found' : ''}`}>
        {turn.streaming && !turn.answer ? <p className="muted thinking">Searching your documents…</p> : null}
        {isSearchOnly(turn) && turn.sources && turn.sources.length > 0 ? (
          <PassageAnswer sources={turn.sources} onCite={onCite} />
        ) : isSearchOnly(turn) && turn.done ? (
          // No passages looked up and no model to write: said in the window's words, not the engine's.
          <div className="answer-text" data-testid="answer-text" data-mode="search-only" data-streaming="false">
            <p>This profile answers without your documents, which takes a language model, and none is set up yet.</p>
          </div>
        ) : (
          <AnswerText text={turn.answer} sources={turn.sources} streaming={turn.streaming} live={latest} onCite={onCite} />
        )}
        {turn.error ? (
          <p className="field-error" role="alert" data-testid="answer-error">
            {turn.error.message} <code>{turn.error.code}</code>
          </p>
        ) : null}
        <AnswerMeta turn={turn} />
        <div className="turn-actions">
          {!turn.streaming && turn.answer && !turn.error ? <CopyAnswerButton turn={turn} /> : null}
          {!active && turn.sources && turn.sources.length > 0 ? (
            <button type="button" className="link small" onClick={onSelect}>
              Show this answer's sources
            </button>
          ) : null}
        </div>
      </div>
    </article>
  );
}
