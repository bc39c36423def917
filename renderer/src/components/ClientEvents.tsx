import { useEffect } from 'react';
import { useBanner } from '../state/banner.js';
import { useClient } from '../state/client.js';
import { useLive } from '../state/live.js';

/** Said when the engine's process died and was started again: calm, since the app carries on. */
export const ENGINE_RESTARTED = 'The engine stopped and was restarted; the answer in progress was stopped.';

/**
 * Routes what the client pushes to the banner: a restarted engine, errors of no call,
 * reconnections. What a notice makes stale is refetched by `state/live.tsx`, not here.
 */
export function ClientEvents() {
  const client = useClient();
  const { report, inform } = useBanner();
  const { onNotice } = useLive();

  useEffect(() => {
    const offNotice = onNotice((notice) => {
      if (notice.kind !== 'engine-restarted') return;
      // The desktop app's main says so when the engine cannot start at all: that is not calm news.
      if (notice.message.startsWith('The engine could not start')) report(new Error(notice.message));
      else inform(ENGINE_RESTARTED);
    });
    const offError = client.onError?.((error) => report(error));
    const offConnection = client.onConnection?.((state) => {
      if (state.status === 'open' && state.reconnected) inform('Reconnected to the Quire engine.');
    });
    return () => {
      offNotice();
      offError?.();
      offConnection?.();
    };
  }, [client, onNotice, report, inform]);

  return null;
}
