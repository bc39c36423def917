import { App } from './App.js';
import type { UiClient } from './client/index.js';
import { ClientEvents } from './components/ClientEvents.js';
import { AppProvider } from './state/app.js';
import { BannerProvider } from './state/banner.js';
import { ClientProvider } from './state/client.js';
import { IndexingProvider } from './state/indexing.js';
import { LiveProvider } from './state/live.js';

export function Root({ client }: { client: UiClient }) {
  return (
    <ClientProvider client={client}>
      <BannerProvider>
        <LiveProvider>
          <AppProvider>
            <IndexingProvider>
              <ClientEvents />
              <App />
            </IndexingProvider>
          </AppProvider>
        </LiveProvider>
      </BannerProvider>
    </ClientProvider>
  );
}
