import { useEffect, useState } from 'react';
import { answerForClipboard } from '../../lib/copy-answer.js';
import { isSearchOnly, type Turn } from './useChat.js';

/** Copies the answer with its sources; says so for two seconds, or says why it could not. */
export function CopyAnswerButton({ turn }: { turn: Turn }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () => {
    navigator.clipboard.writeText(answerForClipboard(turn.answer, turn.sources, isSearchOnly(turn))).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <button type="button" className="link small" data-testid="copy-answer" onClick={copy}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy (clipboard not allowed)' : 'Copy answer with sources'}
    </button>
  );
}
