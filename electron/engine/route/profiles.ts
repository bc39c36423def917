import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SYSTEM_PROMPT, Profile, ProfileAdapter } from '../../shared/profile.js';
import { QuireError } from '../errors.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../host/private-files.js';

export { DEFAULT_SYSTEM_PROMPT };

export { Profile, ProfileAdapter };

export const DEFAULT_PROFILE: Profile = Profile.parse({ name: 'default', description: 'Retrieval over the library with the base model' });

const ProfilesFile = z.object({ profiles: z.array(Profile) });

export class ProfileError extends QuireError {
  constructor(message: string) {
    super('bad-profile', message);
  }
}

/** Profiles in `<dataDir>/profiles.json`; `default` always exists and may be edited but not removed. */
export class ProfileStore {
  constructor(private readonly file: string) {}

  list(): Profile[] {
    const saved = this.read();
    return saved.some((p) => p.name === 'default') ? saved : [DEFAULT_PROFILE, ...saved];
  }

  get(name: string): Profile {
    const profile = this.list().find((p) => p.name === name);
    if (!profile) throw new ProfileError(`No profile named "${name}" (have: ${this.list().map((p) => p.name).join(', ')})`);
    return profile;
  }

  save(input: z.input<typeof Profile>): Profile {
    const parsed = Profile.safeParse(input);
    if (!parsed.success) throw new ProfileError(`Invalid profile: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const rule of parsed.data.rules) {
      try {
        new RegExp(rule, 'i');
      } catch {
        throw new ProfileError(`Invalid rule pattern: ${rule}`);
      }
    }
    const profiles = this.read().filter((p) => p.name !== parsed.data.name);
    profiles.push(parsed.data);
    this.write(profiles);
    return parsed.data;
  }

  remove(name: string): boolean {
    if (name === 'default') throw new ProfileError('The default profile cannot be removed (edit it instead)');
    const profiles = this.read();
    const kept = profiles.filter((p) => p.name !== name);
    if (kept.length === profiles.length) return false;
    this.write(kept);
    return true;
  }

  private read(): Profile[] {
    if (!existsSync(this.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new ProfileError(`${this.file} is not valid JSON (${(error as Error).message}); fix or delete it`);
    }
    const parsed = ProfilesFile.safeParse(raw);
    if (!parsed.success) throw new ProfileError(`${this.file} is not a valid profiles file: ${parsed.error.issues[0]?.message}`);
    return parsed.data.profiles;
  }

  private write(profiles: Profile[]): void {
    makePrivateDir(dirname(this.file));
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ profiles }, null, 2), { mode: PRIVATE_FILE_MODE });
    renameSync(temp, this.file);
  }
}
