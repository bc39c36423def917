import { InvalidArgumentError, Option, type Command } from 'commander';
import { interruptible, withEngine } from '../one-shot.js';

type DataDirFlag = () => string | undefined;

const positive = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};
const share = (value: string): number => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('--train-share must be between 0 and 1');
  return n;
};

/** `quire dataset ...`: question/answer pairs generated from a library, for evaluation and for training a LoRA elsewhere. */
export function registerDatasetCommands(program: Command, dataDir: DataDirFlag): void {
  const dataset = program.command('dataset').description('question/answer pairs from your documents: generate, list, export for LoRA training');

  dataset
    .command('generate')
    .description('have the local model write one grounded question/answer pair per sampled passage (JSON-schema constrained)')
    .requiredOption('-l, --library <name>', 'library name')
    .option('-m, --model <id-or-path>', 'GGUF model (default: the active model, see quire models use)')
    .option('-n, --count <n>', 'pairs to keep', positive('--count'), 50)
    .option('--seed <n>', 'sampling and split seed', (v) => Number(v), 1)
    .option('--train-share <x>', 'share of pairs in the train split (the rest is the test split)', share, 0.8)
    .option('--name <name>', 'name of the set')
    .option('--out <file.jsonl>', 'also write the set as a question file for quire eval')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { library: string; model?: string; count: number; seed: number; trainShare: number; name?: string; out?: string; json?: boolean }) => {
      if (!Number.isInteger(flags.seed)) throw new InvalidArgumentError('--seed must be a whole number');
      const summary = await withEngine(dataDir(), (api) =>
        interruptible((signal) =>
          api.call(
            'dataset.generate',
            { library: flags.library, model: flags.model, count: flags.count, seed: flags.seed, trainShare: flags.trainShare, name: flags.name, out: flags.out },
            {
              signal,
              onEvent: (event) => {
                const { tried, accepted } = event as { tried: number; accepted: number };
                if (!flags.json && process.stderr.isTTY) process.stderr.write(`\r${accepted} pairs from ${tried} passages`);
              },
            },
          ),
        ),
      );
      if (!flags.json && process.stderr.isTTY) process.stderr.write('\n');
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        const { dropped } = summary;
        process.stdout.write(`Set ${summary.set}: ${summary.pairs} pairs (${summary.train} train, ${summary.test} test) from ${summary.tried} passages; dropped ${dropped.invalid} invalid, ${dropped.empty} empty, ${dropped.duplicate} duplicate.\n`);
        if (summary.out) process.stdout.write(`Questions written to ${summary.out}\n`);
        if (summary.pairs < flags.count) process.stdout.write(`Fewer pairs than asked: the library has few passages long enough, or the model repeated itself.\n`);
      }
    });

  dataset
    .command('list')
    .description('list the question sets generated into a library')
    .requiredOption('-l, --library <name>', 'library name')
    .option('--json', 'print as JSON')
    .action(async (flags: { library: string; json?: boolean }) => {
      const sets = await withEngine(dataDir(), (api) => api.call('dataset.list', { library: flags.library }));
      if (flags.json) process.stdout.write(`${JSON.stringify(sets)}\n`);
      else if (sets.length === 0) process.stdout.write('No question sets yet. Generate one with: quire dataset generate --library NAME --model ID\n');
      else for (const s of sets) process.stdout.write(`#${s.id} ${s.name}: ${s.count} pairs (${s.train} train, ${s.test} test), ${s.origin} ${s.createdAt}${s.model ? ` by ${s.model}` : ''}\n`);
    });

  dataset
    .command('export')
    .description('write generated pairs as LoRA training data (chat messages or alpaca), keeping the train and test splits apart')
    .requiredOption('-l, --library <name>', 'library name')
    .addOption(new Option('--format <format>', 'chat: {"messages": [...]}; alpaca: {"instruction", "input", "output"}').choices(['chat', 'alpaca']).makeOptionMandatory())
    .requiredOption('--out <file.jsonl>', 'output file; without --split, FILE.train.jsonl and FILE.test.jsonl are written')
    .addOption(new Option('--split <split>', 'only this split into FILE (all: both in one file, mixing test data into training)').choices(['train', 'test', 'all']))
    .option('--set <id>', 'question set id (default: the latest)')
    .option('--with-context', 'put the source passage in the prompt (teaches answering from passages instead of memorising facts)')
    .option('--system-prompt <text>', 'system message of chat records')
    .action(async (flags: { library: string; format: 'chat' | 'alpaca'; out: string; split?: 'train' | 'test' | 'all'; set?: string; withContext?: boolean; systemPrompt?: string }) => {
      const set = flags.set === undefined || flags.set === 'latest' ? 'latest' : Number(flags.set);
      if (set !== 'latest' && !Number.isInteger(set)) throw new Error('--set takes "latest" or a set id (see quire dataset list)');
      const written = await withEngine(dataDir(), (api) =>
        api.call('dataset.export', { library: flags.library, format: flags.format, out: flags.out, split: flags.split, set, withContext: flags.withContext, systemPrompt: flags.systemPrompt }),
      );
      for (const w of written) process.stdout.write(`${w.records} ${flags.format} records -> ${w.file}\n`);
    });
}
