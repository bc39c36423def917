import { useEffect, useRef, useState } from 'react';
import type { SearchMode } from '../../../../electron/shared/search.js';
import type { SearchResponse } from '../../lib/types.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

export const SEARCH_DEBOUNCE_MS = 120;

/**
 * Search as you type: waits for a pause in typing, and drops any response that arrives after a
 * newer query was sent (calls cannot be cancelled, so stale answers are ignored instead). The
 * query runs again when `refresh` changes (the library changed, an embedding run ended).
 */
export function useSearch(library: string, query: string, mode: SearchMode, documents: boolean, refresh: string | number = 0) {
  const client = useClient();
  const { report } = useBanner();
  const [response, setResponse] = useState<SearchResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);

  useEffect(() => {
    const ticket = ++latest.current;
    const text = query.trim();
    if (!text) {
      setResponse(null);
      setLoading(false);
      return;
    }
    setLoading(true);
    const timer = setTimeout(() => {
      client.call('search', { library, query: text, mode, documents, k: 20 }).then(
        (r) => {
          if (ticket !== latest.current) return;
          setResponse(r);
          setLoading(false);
        },
        (error: unknown) => {
          if (ticket !== latest.current) return;
          setLoading(false);
          report(error, 'Searching');
        },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [client, library, query, mode, documents, report, refresh]);

  return { response, loading };
}
