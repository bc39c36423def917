import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CallMethod, Result } from '../../../electron/shared/contract.js';
import type { AdapterInfo, AnswerSource, LibrarySummary, ModelInfo, Profile, Settings, View } from '../lib/types.js';
import { applyTheme } from '../lib/theme.js';
import { useBanner } from './banner.js';
import { useClient } from './client.js';
import { useLive, type Topic } from './live.js';

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
  /** Every library's summary: the one place a library's counts are read from (sidebar and library page alike). */
  libraries: LibrarySummary[] | null;
  refreshLibraries(): Promise<void>;
  /** Bumped when a library changed (on disk, re-indexed, from any window), so open views reload what they read from it. */
  libraryVersion: number;
  bumpLibraryVersion(): void;
  selected: string | null;
  select(name: string | null): void;
  settings: Settings | null;
  updateSettings(patch: Partial<Settings>): Promise<Settings | undefined>;
  models: ModelInfo[] | null;
  refreshModels(): Promise<void>;
  adapters: AdapterInfo[] | null;
  refreshAdapters(): Promise<void>;
  profiles: Profile[] | null;
  refreshProfiles(): Promise<void>;
  view: View;
  setView(view: View): void;
  passage: PassageTarget | null;
  openPassage(target: PassageTarget): void;
  closePassage(): void;
  drop: DropIntent | null;
  setDrop(drop: DropIntent | null): void;
  /** A model just imported while another was active: the Models view asks which one answers. */
  modelChoice: ModelChoice | null;
  setModelChoice(choice: ModelChoice | null): void;
}

export interface ModelChoice {
  imported: ModelInfo;
  /** The model that was answering before the import, and still is until the user says otherwise. */
  previous: ModelInfo;
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

/**
 * One list the engine keeps, fetched whole: `refresh` resolves once the list is shown, and a reply
 * that arrives after a newer request's is dropped, so an older list never replaces a newer one.
 */
function useEngineList<M extends CallMethod>(method: M, what: string, topic: Topic) {
  const client = useClient();
  const { report } = useBanner();
  const version = useLive().versions[topic];
  const [data, setData] = useState<Result<M> | null>(null);
  const latest = useRef(0);
  const refresh = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const result = await client.call(method, {} as never);
      if (ticket === latest.current) setData(result);
    } catch (error) {
      if (ticket === latest.current) report(error, what);
    }
  }, [client, method, what, report]);
  useEffect(() => {
    void refresh();
  }, [refresh, version]);
  return [data, refresh] as const;
}

export function AppProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const { report } = useBanner();
  const { versions, bump } = useLive();
  const [libraries, refreshLibraries] = useEngineList('libraries.list', 'Listing libraries', 'libraries');
  const [models, refreshModels] = useEngineList('models.list', 'Listing models', 'models');
  const [adapters, refreshAdapters] = useEngineList('adapters.list', 'Listing adapters', 'adapters');
  const [profiles, refreshProfiles] = useEngineList('profiles.list', 'Listing profiles', 'profiles');
  const libraryVersion = versions.libraries;
  const [selected, setSelected] = useState<string | null>(remembered);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [view, setView] = useState<View>('chat');
  const [passage, setPassage] = useState<PassageTarget | null>(null);
  const [drop, setDrop] = useState<DropIntent | null>(null);
  const [modelChoice, setModelChoice] = useState<ModelChoice | null>(null);

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

  const bumpLibraryVersion = useCallback(() => bump('libraries'), [bump]);
  const closePassage = useCallback(() => setPassage(null), []);

  useEffect(() => {
    client.call('settings.get', {}).then(setSettings, (error: unknown) => report(error, 'Reading settings'));
  }, [client, report, versions.settings]);

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
      selected, select: setSelected, settings, updateSettings, models, refreshModels, adapters, refreshAdapters, profiles, refreshProfiles,
      view, setView, passage, openPassage: setPassage, closePassage, drop, setDrop, modelChoice, setModelChoice,
    }),
    [
      libraries, refreshLibraries, libraryVersion, bumpLibraryVersion, selected, settings, updateSettings, models, refreshModels,
      adapters, refreshAdapters, profiles, refreshProfiles, view, passage, closePassage, drop, modelChoice,
    ],
  );
  return <AppContext.Provider value={api}>{children}</AppContext.Provider>;
}

export function useApp(): AppApi {
  const api = useContext(AppContext);
  if (!api) throw new Error('useApp outside AppProvider');
  return api;
}
