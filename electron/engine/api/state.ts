import type { Notice } from '../../shared/contract.js';
import type { Engine } from '../engine.js';
import type { ModelRegistry } from '../models/registry.js';
import type { ProfileStore } from '../route/profiles.js';
import type { SettingsStore } from '../settings.js';
import type { ModelHost } from './model-host.js';
import type { OpenLibraries } from './open-libraries.js';

/** What the handlers of every area share; each piece owns one concern. */
export interface EngineState {
  readonly dataDir: string;
  readonly engine: Engine;
  readonly libraries: OpenLibraries;
  readonly models: ModelHost;
  readonly registry: ModelRegistry;
  readonly profiles: ProfileStore;
  readonly settings: SettingsStore;
  /** Where the shell serves a document's file (browser mode), or null. */
  fileUrl(library: string, documentId: number): string | null;
  /** Opens a file with the system viewer; null where the shell opens `fileUrl` instead. */
  readonly openFile: ((path: string) => Promise<boolean>) | null;
  notify(notice: Notice): void;
}
