import { useEffect, useRef } from 'react';

export interface Shortcuts {
  ask(): void;
  stop(): void;
  newChat(): void;
  focusSearch(): void;
}

/**
 * Ctrl/Cmd+Enter ask, Escape stop, Ctrl/Cmd+Shift+N new chat, Ctrl/Cmd+K search. A handler that
 * already acted on the key (the question box on Enter, a dialog on Escape) calls preventDefault.
 */
export function useShortcuts(shortcuts: Shortcuts): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === 'enter') {
        event.preventDefault();
        latest.current.ask();
      } else if (key === 'escape' && !mod) {
        latest.current.stop();
      } else if (mod && event.shiftKey && key === 'n') {
        event.preventDefault();
        latest.current.newChat();
      } else if (mod && !event.shiftKey && key === 'k') {
        event.preventDefault();
        latest.current.focusSearch();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
