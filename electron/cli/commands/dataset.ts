import { InvalidArgumentError, Option, type Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { toJsonLines, type DatasetFormat } from '../../engine/eval/dataset.js';
import { generateQuestionSet } from '../../engine/eval/generate.js';
import { serializeQuestionSet } from '../../engine/eval/questions.js';
import { EvalStore, type StoredQuestion } from '../../engine/eval/store.js';
import { createEngine } from '../../engine/index.js';
import { resolveDataDir } from '../data-dir.js';
import { loadModel } from './eval.js';

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
    .option('-m, --model <id-or-path>', 'GGUF model (default: the most recently imported model)')
    .option('-n, --count <n>', 'pairs to keep', positive('--count'), 50)
    .option('--seed <n>', 'sampling and split seed', (v) => Number(v), 1)
    .option('--train-share <x>', 'share of pairs in the train split (the rest is the test split)', share, 0.8)
    .option('--name <name>', 'name of the set')
    .option('--out <file.jsonl>', 'also write the set as a question file for quire eval')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { library: string; model?: string; count: number; seed: number; trainShare: number; name?: string; out?: string; json?: boolean }) => {
      if (!Number.isInteger(flags.seed)) throw new InvalidArgumentError('--seed must be a whole number');
      const data = resolveDataDir(dataDir());
      const library = createEngine({ dataDir: data }).openLibrary(flags.library);
      const model = await loadModel(data, flags.model).catch(async (error: unknown) => {
        await library.close();
        throw error;
      });
      try {
        if (!model) throw new Error('Generating questions needs a language model: pass --model ID|PATH (or import one with quire models import)');
        const generated = await generateQuestionSet(library, model.llm, {
          count: flags.count, seed: flags.seed, trainShare: flags.trainShare,
          onProgress: ({ tried, accepted }) => {
            if (!flags.json && process.stderr.isTTY) process.stderr.write(`\r${accepted} pairs from ${tried} passages`);
          },
        });
        if (!flags.json && process.stderr.isTTY) process.stderr.write('\n');
        if (generated.questions.length === 0) {
          throw new Error(`No usable pairs from ${generated.tried} passages (${generated.dropped.invalid} invalid, ${generated.dropped.empty} empty, ${generated.dropped.duplicate} duplicate); is the library indexed?`);
        }
        const name = flags.name ?? `generated (seed ${flags.seed})`;
        const id = new EvalStore(library.db).saveQuestionSet({ name, origin: 'generated', model: model.label, seed: flags.seed, questions: generated.questions });
        if (flags.out) writeFile(flags.out, serializeQuestionSet(generated.questions));
        const summary = {
          set: id, name, pairs: generated.questions.length, train: generated.questions.filter((q) => q.split === 'train').length,
          test: generated.questions.filter((q) => q.split === 'test').length, tried: generated.tried, dropped: generated.dropped, out: flags.out ? resolve(flags.out) : null,
        };
        if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else {
          process.stdout.write(`Set ${id}: ${summary.pairs} pairs (${summary.train} train, ${summary.test} test) from ${summary.tried} passages; dropped ${generated.dropped.invalid} invalid, ${generated.dropped.empty} empty, ${generated.dropped.duplicate} duplicate.\n`);
          if (flags.out) process.stdout.write(`Questions written to ${summary.out}\n`);
          if (summary.pairs < flags.count) process.stdout.write(`Fewer pairs than asked: the library has few passages long enough, or the model repeated itself.\n`);
        }
      } finally {
        await library.close();
        await model?.llm.dispose();
      }
    });

  dataset
    .command('list')
    .description('list the question sets generated into a library')
    .requiredOption('-l, --library <name>', 'library name')
    .option('--json', 'print as JSON')
    .action(async (flags: { library: string; json?: boolean }) => {
      const library = createEngine({ dataDir: resolveDataDir(dataDir()) }).openLibrary(flags.library);
      try {
        const sets = new EvalStore(library.db).questionSets();
        if (flags.json) process.stdout.write(`${JSON.stringify(sets)}\n`);
        else if (sets.length === 0) process.stdout.write('No question sets yet. Generate one with: quire dataset generate --library NAME --model ID\n');
        else for (const s of sets) process.stdout.write(`#${s.id} ${s.name}: ${s.count} pairs (${s.train} train, ${s.test} test), ${s.origin} ${s.createdAt}${s.model ? ` by ${s.model}` : ''}\n`);
      } finally {
        await library.close();
      }
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
    .action(async (flags: { library: string; format: DatasetFormat; out: string; split?: 'train' | 'test' | 'all'; set?: string; withContext?: boolean; systemPrompt?: string }) => {
      const library = createEngine({ dataDir: resolveDataDir(dataDir()) }).openLibrary(flags.library);
      try {
        const ref = flags.set === undefined || flags.set === 'latest' ? 'latest' : Number(flags.set);
        if (ref !== 'latest' && !Number.isInteger(ref)) throw new Error('--set takes "latest" or a set id (see quire dataset list)');
        const set = new EvalStore(library.db).questionSet(ref);
        if (!set) throw new Error(`No generated question set ${flags.set ?? ''} in library "${library.name}" (create one with quire dataset generate)`.replace('  ', ' '));
        const options = { format: flags.format, withContext: flags.withContext, systemPrompt: flags.systemPrompt };
        const write = (file: string, questions: StoredQuestion[]): void => {
          writeFile(file, toJsonLines(questions, options));
          process.stdout.write(`${questions.length} ${flags.format} records -> ${resolve(file)}\n`);
        };
        const of = (split: 'train' | 'test'): StoredQuestion[] => set.questions.filter((q) => (q.split ?? 'train') === split);
        if (flags.split === 'all') write(flags.out, set.questions);
        else if (flags.split) write(flags.out, of(flags.split));
        else {
          write(splitFile(flags.out, 'train'), of('train'));
          write(splitFile(flags.out, 'test'), of('test'));
        }
      } finally {
        await library.close();
      }
    });
}

/** `data.jsonl` -> `data.train.jsonl`. */
export function splitFile(file: string, split: 'train' | 'test'): string {
  const ext = extname(file) || '.jsonl';
  return join(dirname(file), `${basename(file, extname(file))}.${split}${ext}`);
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
}
