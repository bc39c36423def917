import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SYSTEM_PROMPT } from '../generate/prompt.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../host/private-files.js';

export const ProfileAdapter = z.object({
  /** Adapter id in the registry, or a path to a LoRA .gguf. */
  adapter: z.string().min(1),
  scale: z.number().min(0).max(4),
});

export const Profile = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'profile names use letters, digits, ".", "_" and "-"'),
  description: z.string().default(''),
  adapters: z.array(ProfileAdapter).default([]),
  retrieval: z.boolean().default(true),
  k: z.number().int().min(1).max(50).default(6),
  systemPrompt: z.string().default(DEFAULT_SYSTEM_PROMPT),
  /** Regular expressions (case-insensitive) that send a question to this profile. */
  rules: z.array(z.string()).default([]),
  /** Example questions; the router sends a question to the profile whose examples it is most like. */
  examples: z.array(z.string()).default([]),
});
export type Profile = z.infer<typeof Profile>;

export const DEFAULT_PROFILE: Profile = Profile.parse({ name: 'default', description: 'Retrieval over the library with the base model' });

const ProfilesFile = z.object({ profiles: z.array(Profile) });

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
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
