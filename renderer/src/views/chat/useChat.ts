import { useCallback, useEffect, useRef, useState } from 'react';
import { AnswerSource as AnswerSourceSchema } from '../../../../electron/shared/answer.js';
import type { ErrorPayload, StreamHandle } from '../../../../electron/shared/contract.js';
import { toErrorPayload } from '../../client/errors.js';
import type { AnswerSource, ConversationMessage, ConversationSummary, DoneEvent } from '../../lib/types.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

export interface Turn {
  key: string;
  question: string;
  answer: string;
  /** null until the sources event (or for a turn loaded from history without any). */
  sources: AnswerSource[] | null;
  done: DoneEvent | null;
  error: ErrorPayload | null;
  streaming: boolean;
  stopped: boolean;
  /** Stopped because the engine's process died and was restarted (said calmly, not as an error). */
  restarted: boolean;
  profile: string | null;
}

/**
 * Whether a turn holds passages rather than a written answer. Conversations keep no mode, so a
 * stored turn is recognised by its shape: nothing cited and the engine's "[1] location" listing.
 */
export function isSearchOnly(turn: Turn): boolean {
  if (turn.done) return turn.done.mode === 'search-only';
  const sources = turn.sources;
  return !turn.streaming && !!sources && sources.length > 0 && sources.every((s) => !s.cited) && turn.answer.startsWith('[1] ');
}

let nextKey = 1;
const newTurn = (question: string, patch: Partial<Turn> = {}): Turn => ({
  key: `t${nextKey++}`, question, answer: '', sources: null, done: null, error: null, streaming: false, stopped: false, restarted: false, profile: null, ...patch,
});

/** Stored sources are opaque in the contract; keep the ones that still read as AnswerSource. */
function storedSources(sources: unknown[]): AnswerSource[] {
  return sources.flatMap((s) => {
    const parsed = AnswerSourceSchema.safeParse(s);
    return parsed.success ? [parsed.data] : [];
  });
}

function turnsOf(messages: ConversationMessage[]): Turn[] {
  const turns: Turn[] = [];
  let open: Turn | null = null;
  for (const m of messages) {
    if (m.role === 'user') {
      if (open) turns.push(open);
      open = newTurn(m.text);
    } else {
      const turn: Turn = open ?? newTurn('');
      turns.push({ ...turn, answer: m.text, sources: storedSources(m.sources), profile: m.profile });
      open = null;
    }
  }
  if (open) turns.push(open);
  return turns;
}

/** One library's conversations and the answer being streamed. */
export function useChat(library: string) {
  const client = useClient();
  const { report } = useBanner();
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [conversationId, setConversationId] = useState<number | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const running = useRef<StreamHandle<'ask'> | null>(null);
  const streaming = turns.some((t) => t.streaming);

  const loadConversations = useCallback(async () => {
    try {
      setConversations(await client.call('conversations.list', { library }));
    } catch (error) {
      report(error, 'Listing conversations');
    }
  }, [client, library, report]);

  useEffect(() => {
    void loadConversations();
  }, [loadConversations]);

  // Leaving the library (this hook unmounts) stops its answer.
  useEffect(() => () => running.current?.cancel(), []);

  const openConversation = useCallback(
    async (id: number) => {
      try {
        const messages = await client.call('conversations.get', { library, id });
        setConversationId(id);
        setTurns(turnsOf(messages));
      } catch (error) {
        report(error, 'Opening the conversation');
      }
    },
    [client, library, report],
  );

  const newChat = useCallback(() => {
    if (running.current) return;
    setConversationId(null);
    setTurns([]);
  }, []);

  const removeConversation = useCallback(
    async (id: number) => {
      try {
        await client.call('conversations.remove', { library, id });
        if (id === conversationId) newChat();
        await loadConversations();
      } catch (error) {
        report(error, 'Deleting the conversation');
      }
    },
    [client, library, conversationId, newChat, loadConversations, report],
  );

  const ask = useCallback(
    (question: string, profile: string | null) => {
      if (running.current || !question.trim()) return;
      const turn = newTurn(question, { streaming: true, profile });
      const update = (patch: (t: Turn) => Partial<Turn>) => setTurns((all) => all.map((t) => (t.key === turn.key ? { ...t, ...patch(t) } : t)));
      setTurns((all) => [...all, turn]);
      const handle = client.stream('ask', {
        library,
        question,
        ...(conversationId !== null ? { conversationId } : {}),
        ...(profile ? { profile } : {}),
      });
      running.current = handle;
      handle.onEvent((event) => {
        switch (event.type) {
          case 'token':
            update((t) => ({ answer: t.answer + event.text }));
            break;
          case 'sources':
            update(() => ({ sources: event.sources }));
            break;
          case 'done':
            update(() => ({ done: event, answer: event.answer, profile: event.profile, stopped: event.cancelled }));
            break;
          case 'error':
            update(() => ({ error: { code: event.code, message: event.message } }));
            break;
        }
      });
      handle.result
        .then(
          (result) => {
            if (result.conversationId !== null) setConversationId(result.conversationId);
            void loadConversations();
          },
          (error: unknown) => {
            const payload = toErrorPayload(error);
            if (payload.code === 'cancelled') update(() => ({ stopped: true }));
            // The banner says the engine restarted; the turn just says it was stopped.
            else if (payload.code === 'engine-restarted') update(() => ({ stopped: true, restarted: true }));
            else {
              update((t) => ({ error: t.error ?? payload }));
              report(error, 'Answering');
            }
          },
        )
        .finally(() => {
          running.current = null;
          update(() => ({ streaming: false }));
        });
    },
    [client, library, conversationId, loadConversations, report],
  );

  const stop = useCallback(() => running.current?.cancel(), []);

  return { conversations, conversationId, turns, streaming, ask, stop, newChat, openConversation, removeConversation };
}
