import { createContext, useContext, type ReactNode } from 'react';
import type { UiClient } from '../client/index.js';

const ClientContext = createContext<UiClient | null>(null);

export function ClientProvider({ client, children }: { client: UiClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): UiClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}
