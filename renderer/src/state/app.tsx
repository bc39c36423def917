import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AnswerSource, LibrarySummary, ModelInfo, Settings, View } from '../lib/types.js';
import { applyTheme } from '../lib/theme.js';
import { useBanner } from './banner.js';
import { useClient } from './client.js';

export interface PassageTarget {
  library: string;
  chunkId: number;
  /** The cited source as the answer saw it: shown if the passage has since changed. */
  source?: AnswerSource;
}

/** A folder dropped on the window, waiting for the new-library form. */
export interface DropIntent {
  path: string | null;
  /** Browser mode cannot read dropped paths: the form explains and asks for the path. */
  browserDrop: boolean;
}

interface AppApi {
  libraries: LibrarySummary[] | null;
  refreshLibraries(): Promise<void>;
  /** Bumped when a library changed on disk or was re-indexed, so open views reload it. */
  libraryVersion: number;
  bumpLibraryVersion(): void;
  selected: string | null;
  select(name: string | null): void;
  settings: Settings | null;
  updateSettings(patch: Partial<Settings>): Promise<Settings | undefined>;
  models: ModelInfo[] | null;
  refreshModels(): Promise<void>;
  view: View;
  setView(view: View): void;
  passage: PassageTarget | null;
  openPassage(target: PassageTarget): void;
  closePassage(): void;
  drop: DropIntent | null;
  setDrop(drop: DropIntent | null): void;
}

const AppContext = createContext<AppApi | null>(null);
const SELECTED_KEY = 'quire.library';

function remembered(): string | null {
  try {
    return window.localStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

export function AppProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const { report } = useBanner();
  const [libraries, setLibraries] = useState<LibrarySummary[] | null>(null);
  const [libraryVersion, setLibraryVersion] = useState(0);
  const [selected, setSelected] = useState<string | null>(remembered);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [models, setModels] = useState<ModelInfo[] | null>(null);
  const [view, setView] = useState<View>('chat');
  const [passage, setPassage] = useState<PassageTarget | null>(null);
  const [drop, setDrop] = useState<DropIntent | null>(null);

  const refreshLibraries = useCallback(async () => {
    try {
      setLibraries(await client.call('libraries.list', {}));
    } catch (error) {
      report(error, 'Listing libraries');
    }
  }, [client, report]);

  const refreshModels = useCallback(async () => {
    try {
      setModels(await client.call('models.list', {}));
    } catch (error) {
      report(error, 'Listing models');
    }
  }, [client, report]);

  const updateSettings = useCallback(
    async (patch: Partial<Settings>) => {
      // Shown at once (a theme switch should not wait for the engine), then replaced by what the
      // engine stored; on failure the stored settings are read back.
      setSettings((current) => (current ? { ...current, ...patch } : current));
      try {
        const next = await client.call('settings.set', patch);
        setSettings(next);
        return next;
      } catch (error) {
        report(error, 'Saving settings');
        client.call('settings.get', {}).then(setSettings, () => undefined);
        return undefined;
      }
    },
    [client, report],
  );

  const bumpLibraryVersion = useCallback(() => setLibraryVersion((v) => v + 1), []);
  const closePassage = useCallback(() => setPassage(null), []);

  useEffect(() => {
    void refreshLibraries();
    void refreshModels();
    client.call('settings.get', {}).then(setSettings, (error: unknown) => report(error, 'Reading settings'));
  }, [client, refreshLibraries, refreshModels, report]);

  useEffect(() => {
    if (settings) applyTheme(settings.theme);
  }, [settings]);

  // Keep the selection on a library that exists; pick the first one when there is none.
  useEffect(() => {
    if (!libraries) return;
    const usable = libraries.filter((l) => !l.damaged);
    if (selected && usable.some((l) => l.name === selected)) return;
    setSelected(usable[0]?.name ?? null);
  }, [libraries, selected]);

  useEffect(() => {
    try {
      if (selected) window.localStorage.setItem(SELECTED_KEY, selected);
    } catch {
      // Remembering the selection is a nicety.
    }
  }, [selected]);

  const api = useMemo<AppApi>(
    () => ({
      libraries, refreshLibraries, libraryVersion, bumpLibraryVersion,
      selected, select: setSelected, settings, updateSettings, models, refreshModels, view, setView,
      passage, openPassage: setPassage, closePassage, drop, setDrop,
    }),
    [libraries, refreshLibraries, libraryVersion, bumpLibraryVersion, selected, settings, updateSettings, models, refreshModels, view, passage, closePassage, drop],
  );
  return <AppContext.Provider value={api}>{children}</AppContext.Provider>;
}

export function useApp(): AppApi {
  const api = useContext(AppContext);
  if (!api) throw new Error('useApp outside AppProvider');
  return api;
}
