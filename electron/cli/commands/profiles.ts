import { Command, InvalidArgumentError } from 'commander';
import type { Profile } from '../../shared/profile.js';
import { withEngine } from '../one-shot.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `ID_OR_PATH[:SCALE]`; the scale defaults to 1. A Windows drive letter is not mistaken for a scale. */
export function parseAdapterFlag(value: string): { adapter: string; scale: number } {
  const match = /^(.*):(\d+(?:\.\d+)?)$/.exec(value);
  if (!match) return { adapter: value, scale: 1 };
  const scale = Number(match[2]);
  if (!(scale >= 0 && scale <= 4)) throw new InvalidArgumentError(`adapter scale must be between 0 and 4, got ${match[2]}`);
  return { adapter: match[1]!, scale };
}

function describe(profile: Profile): string {
  const adapters = profile.adapters.map((a) => `${a.adapter}:${a.scale}`).join(', ') || 'none';
  return `${profile.name}${profile.description ? ` - ${profile.description}` : ''}\n  retrieval: ${profile.retrieval ? `on (k=${profile.k})` : 'off'}; adapters: ${adapters}` +
    `${profile.rules.length ? `\n  rules: ${profile.rules.map((r) => `/${r}/`).join(' ')}` : ''}${profile.examples.length ? `\n  examples: ${profile.examples.length}` : ''}`;
}

export function registerProfileCommands(program: Command, dataDir: () => string | undefined): void {
  const profiles = program.command('profiles').description('answer profiles: adapters and scales, retrieval on/off, k, system prompt, routing rules');

  profiles
    .command('list')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const list = await withEngine(dataDir(), (api) => api.call('profiles.list', {}));
      process.stdout.write(options.json ? `${JSON.stringify(list)}\n` : `${list.map(describe).join('\n')}\n`);
    });

  profiles
    .command('show')
    .argument('<name>')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const list = await withEngine(dataDir(), (api) => api.call('profiles.list', {}));
      const profile = list.find((p) => p.name === name);
      if (!profile) throw new Error(`No profile named "${name}" (have: ${list.map((p) => p.name).join(', ')})`);
      process.stdout.write(options.json ? `${JSON.stringify(profile)}\n` : `${describe(profile)}\n  system prompt: ${profile.systemPrompt}\n`);
    });

  profiles
    .command('set')
    .description('create or update a profile (only the options given change)')
    .argument('<name>')
    .option('--description <text>')
    .option('--adapter <id-or-path[:scale]>', 'LoRA adapter with its scale; repeatable; replaces the list', collect)
    .option('--no-adapters', 'remove all adapters')
    .option('--retrieval', 'search the library for passages (default)')
    .option('--no-retrieval', 'answer from the model (and its adapters) alone')
    .option('-k, --k <n>', 'passages to retrieve', (v) => Number(v))
    .option('--system-prompt <text>')
    .option('--rule <regex>', 'route questions matching this pattern here; repeatable; replaces the list', collect)
    .option('--example <question>', 'an example question for similarity routing; repeatable; replaces the list', collect)
    .action(async (name: string, options: { description?: string; adapter?: string[]; adapters?: boolean; retrieval?: boolean; k?: number; systemPrompt?: string; rule?: string[]; example?: string[] }) => {
      const { existed, saved } = await withEngine(dataDir(), async (api) => {
        const existed = (await api.call('profiles.list', {})).some((p) => p.name === name);
        const saved = await api.call('profiles.save', {
          name,
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(options.adapter ? { adapters: options.adapter.map(parseAdapterFlag) } : {}),
          ...(options.adapters === false ? { adapters: [] } : {}),
          ...(options.retrieval !== undefined ? { retrieval: options.retrieval } : {}),
          ...(options.k !== undefined ? { k: options.k } : {}),
          ...(options.systemPrompt !== undefined ? { systemPrompt: options.systemPrompt } : {}),
          ...(options.rule ? { rules: options.rule } : {}),
          ...(options.example ? { examples: options.example } : {}),
        });
        return { existed, saved };
      });
      process.stdout.write(`${existed ? 'Updated' : 'Created'} profile ${describe(saved)}\n`);
    });

  profiles
    .command('remove')
    .argument('<name>')
    .action(async (name: string) => {
      const { removed } = await withEngine(dataDir(), (api) => api.call('profiles.remove', { name }));
      if (!removed) throw new Error(`No profile named "${name}"`);
      process.stdout.write(`Removed profile "${name}"\n`);
    });
}
