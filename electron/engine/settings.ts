import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Settings } from '../shared/contract.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from './host/private-files.js';

const DEFAULTS: Settings = { theme: 'system', activeModel: null, activeAdapters: [], defaultEmbedder: null };

/** User settings in `<dataDir>/settings.json`; unknown or invalid fields fall back to defaults rather than failing startup. */
export class SettingsStore {
  constructor(private readonly file: string) {}

  get(): Settings {
    if (!existsSync(this.file)) return { ...DEFAULTS };
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
      const merged = { ...DEFAULTS, ...raw };
      const parsed = Settings.safeParse(merged);
      return parsed.success ? parsed.data : { ...DEFAULTS };
    } catch {
      return { ...DEFAULTS };
    }
  }

  set(patch: Partial<Settings>): Settings {
    const next = Settings.parse({ ...this.get(), ...patch });
    makePrivateDir(dirname(this.file));
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(next, null, 2), { mode: PRIVATE_FILE_MODE });
    renameSync(temp, this.file);
    return next;
  }
}
