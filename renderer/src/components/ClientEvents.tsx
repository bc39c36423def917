import { useEffect } from 'react';
import { useApp } from '../state/app.js';
import { useBanner } from '../state/banner.js';
import { useClient } from '../state/client.js';

/** Routes what the client pushes (notices, errors of no call, reconnections) to the UI. */
export function ClientEvents() {
  const client = useClient();
  const { report, inform } = useBanner();
  const { refreshLibraries, refreshModels, bumpLibraryVersion } = useApp();

  useEffect(() => {
    const offNotice = client.onNotice?.((notice) => {
      if (notice.kind === 'library-changed') {
        void refreshLibraries();
        bumpLibraryVersion();
      } else {
        inform(notice.message || 'The Quire engine stopped and was restarted; anything that was running has to be started again.');
        void refreshLibraries();
        void refreshModels();
      }
    });
    const offError = client.onError?.((error) => report(error));
    const offConnection = client.onConnection?.((state) => {
      if (state.status === 'open' && state.reconnected) {
        inform('Reconnected to the Quire engine.');
        void refreshLibraries();
        void refreshModels();
        bumpLibraryVersion();
      }
    });
    return () => {
      if (typeof offNotice === 'function') offNotice();
      offError?.();
      offConnection?.();
    };
  }, [client, report, inform, refreshLibraries, refreshModels, bumpLibraryVersion]);

  return null;
}
