import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { toErrorPayload } from '../client/errors.js';

export interface BannerItem {
  id: number;
  kind: 'error' | 'info';
  code: string | null;
  message: string;
  /** How many times the same message came in. */
  count: number;
}

interface BannerApi {
  items: BannerItem[];
  /** Shows a failed call's `{code, message}`; `what` says what was being done ("Indexing notes"). */
  report(error: unknown, what?: string): void;
  inform(message: string): void;
  dismiss(id: number): void;
}

const BannerContext = createContext<BannerApi | null>(null);
let nextId = 1;

export function BannerProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<BannerItem[]>([]);

  const push = useCallback((kind: BannerItem['kind'], code: string | null, message: string) => {
    setItems((list) => {
      const same = list.find((i) => i.kind === kind && i.code === code && i.message === message);
      if (same) return list.map((i) => (i === same ? { ...i, count: i.count + 1 } : i));
      return [...list.slice(-4), { id: nextId++, kind, code, message, count: 1 }];
    });
  }, []);

  const report = useCallback(
    (error: unknown, what?: string) => {
      const payload = toErrorPayload(error);
      push('error', payload.code, what ? `${what}: ${payload.message}` : payload.message);
    },
    [push],
  );
  const inform = useCallback((message: string) => push('info', null, message), [push]);
  const dismiss = useCallback((id: number) => setItems((list) => list.filter((i) => i.id !== id)), []);

  const api = useMemo(() => ({ items, report, inform, dismiss }), [items, report, inform, dismiss]);
  return <BannerContext.Provider value={api}>{children}</BannerContext.Provider>;
}

export function useBanner(): BannerApi {
  const api = useContext(BannerContext);
  if (!api) throw new Error('useBanner outside BannerProvider');
  return api;
}
