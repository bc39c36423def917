import { useEffect, useRef } from 'react';
import { TurnView } from './TurnView.js';
import type { Turn } from './useChat.js';

interface Props {
  library: string;
  /** The library has no indexed passages yet. */
  empty: boolean;
  turns: Turn[];
  activeTurn: string | null;
  onSelectTurn(key: string): void;
  onCite(turnKey: string, n: number): void;
}

export function Transcript({ library, empty, turns, activeTurn, onSelectTurn, onCite }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const last = turns.at(-1);

  // Follow the streaming answer unless the reader scrolled up to read something else.
  useEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [turns.length, last?.answer, last?.sources]);

  return (
    <div
      className="transcript"
      ref={scroller}
      data-testid="transcript"
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {turns.length === 0 ? (
        <div className="empty-state" data-testid="chat-empty">
          {empty ? (
            <p>
              <strong>{library}</strong> has no indexed passages yet. Index it from <em>Library settings</em>, then ask here.
            </p>
          ) : (
            <>
              <p>
                Ask a question about the documents in <strong>{library}</strong>.
              </p>
              <p className="muted small">Every answer cites its passages as numbered chips; click one to read the passage in its document.</p>
            </>
          )}
        </div>
      ) : (
        turns.map((turn, i) => (
          <TurnView key={turn.key} turn={turn} latest={i === turns.length - 1} active={turn.key === activeTurn} onSelect={() => onSelectTurn(turn.key)} onCite={(n) => onCite(turn.key, n)} />
        ))
      )}
    </div>
  );
}
