import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { NoticeKind } from '../../../electron/shared/contract.js';
import type { Notice } from '../client/index.js';
import { useClient } from './client.js';

/** What a window shows from the engine, each refetched as a whole when it goes stale. */
export type Topic = 'libraries' | 'models' | 'adapters' | 'profiles' | 'settings';
const TOPICS: readonly Topic[] = ['libraries', 'models', 'adapters', 'profiles', 'settings'];

/**
 * The one place that says what each notice makes stale. `libraries` covers everything read from a
 * library (its summary and counts, status, conversations, evaluation runs); the active model is
 * part of the models list, so a settings change refetches that too.
 */
export const STALE: Record<NoticeKind, readonly Topic[]> = {
  'engine-restarted': TOPICS,
  'library-changed': ['libraries'],
  'libraries-changed': ['libraries'],
  'indexing-changed': ['libraries'],
  'models-changed': ['models'],
  'adapters-changed': ['adapters'],
  'profiles-changed': ['profiles'],
  'settings-changed': ['settings', 'models'],
};

interface LiveApi {
  /** One counter per topic, bumped when it goes stale: a data hook refetches when its counter changes. */
  versions: Readonly<Record<Topic, number>>;
  /** Marks topics stale from this window (after a call whose notice may not have arrived yet). */
  bump(...topics: Topic[]): void;
  /** Listens to every notice (for what is more than a refetch: a banner, a library's run). */
  onNotice(listener: (notice: Notice) => void): () => void;
}

const LiveContext = createContext<LiveApi | null>(null);
const zero = (): Record<Topic, number> => ({ libraries: 0, models: 0, adapters: 0, profiles: 0, settings: 0 });

/**
 * Keeps every view of this window in step with the engine: the engine pushes a notice to every
 * window after each change, made anywhere (this window, another one, the CLI's watcher), and the
 * topics it names are refetched. A reconnection refetches everything, since notices sent while
 * the connection was down are lost.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [versions, setVersions] = useState(zero);
  const [listeners] = useState(() => new Set<(notice: Notice) => void>());

  const bump = useCallback((...topics: Topic[]) => {
    setVersions((current) => {
      const next = { ...current };
      for (const topic of topics) next[topic]++;
      return next;
    });
  }, []);

  useEffect(() => {
    const offNotice = client.onNotice?.((notice) => {
      bump(...STALE[notice.kind]);
      for (const listener of listeners) listener(notice);
    });
    const offConnection = client.onConnection?.((state) => {
      if (state.status === 'open' && state.reconnected) bump(...TOPICS);
    });
    return () => {
      if (typeof offNotice === 'function') offNotice();
      offConnection?.();
    };
  }, [client, bump, listeners]);

  const onNotice = useCallback(
    (listener: (notice: Notice) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    [listeners],
  );

  const api = useMemo(() => ({ versions, bump, onNotice }), [versions, bump, onNotice]);
  return <LiveContext.Provider value={api}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveApi {
  const api = useContext(LiveContext);
  if (!api) throw new Error('useLive outside LiveProvider');
  return api;
}

/** The counter of one topic: put it in an effect's dependencies to refetch when the topic goes stale. */
export function useVersion(topic: Topic): number {
  return useLive().versions[topic];
}
