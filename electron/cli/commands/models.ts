import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { EngineApi } from '../../engine/index.js';
import { EngineError, type Result } from '../../shared/contract.js';
import { interruptible, withEngine } from '../one-shot.js';

type DataDirFlag = () => string | undefined;
interface JsonFlag {
  json?: boolean;
}
type ModelInfo = Result<'models.list'>[number];
type AdapterInfo = Result<'adapters.list'>[number];
type GgufInfo = NonNullable<Result<'models.import'>['info']>;

const IN_PLACE = 'The file is used where it is (not copied): moving or deleting it makes the entry unusable.';

/** `quire models ...` and `quire adapters ...`: the local registry of GGUF models and LoRA adapters, and the catalog. */
export function registerModelCommands(program: Command, dataDir: DataDirFlag): void {
  const engine = <T>(work: (api: EngineApi) => Promise<T>): Promise<T> => withEngine(dataDir(), work);
  const models = program.command('models').description('language models (GGUF): list, import, remove, use, and pull from the catalog');

  models
    .command('list')
    .description('list registered models (the active one, which every shell answers with, is marked)')
    .option('--json', 'print as JSON')
    .action(async (flags: JsonFlag) => {
      const list = await engine((api) => api.call('models.list', {}));
      if (flags.json) return printJson(list);
      if (list.length === 0) return print('No models yet. Add a GGUF file with: quire models import PATH (or see: quire models catalog)');
      for (const m of list) print(modelLine(m));
    });

  models
    .command('use')
    .description('make a model the active one: quire ask, quire serve and the app answer with it (a GGUF path is imported first)')
    .argument('<id-or-path>', 'registered model id, or a .gguf file')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: JsonFlag) => {
      const model = await guard(flags, () => engine((api) => api.call('models.use', { id })));
      if (flags.json) return printJson(model);
      print(`Active model: "${model.id}" (${model.path})`);
    });

  models
    .command('import')
    .description('register a GGUF model file (validated; referenced in place, not copied)')
    .argument('<path>', 'a .gguf model file')
    .option('--id <id>', 'id to use instead of one made from the file name')
    .option('--sha256', 'hash the file and record its sha256 (reads the whole file)')
    .option('--json', 'print as JSON')
    .action(async (path: string, flags: JsonFlag & { id?: string; sha256?: boolean }) => {
      const { added, info, ...model } = await guard(flags, () => engine((api) => api.call('models.import', { path, id: flags.id, sha256: flags.sha256 })));
      if (flags.json) return printJson({ model, added, info });
      print(`${added ? 'Registered' : 'Already registered, updated'} model "${model.id}": ${describe(info!)}`);
      print(`  ${model.path}`);
      print(IN_PLACE);
    });

  models
    .command('remove')
    .description('forget a model (your file is not deleted; only files pulled into the data folder are)')
    .argument('<id>', 'model id')
    .action(async (id: string) => {
      const { path, deletedFile } = await engine((api) => api.call('models.remove', { id }));
      print(deletedFile ? `Removed model "${id}" and deleted its downloaded file ${path}` : `Removed model "${id}" from the registry; ${path} was not touched`);
    });

  models
    .command('catalog')
    .description('recommended models that "quire models pull ID" can download')
    .option('--json', 'print as JSON')
    .action(async (flags: JsonFlag) => {
      const catalog = await engine((api) => api.call('models.catalog', {}));
      if (flags.json) return printJson(catalog.map((e) => e.entry));
      for (const e of catalog) {
        const check = e.checksums ? 'sha256' : 'size only';
        print(`${e.id.padEnd(24)} ${e.kind.padEnd(8)} ${`${e.sizeExact === false ? '~' : ''}${formatBytes(e.sizeBytes)}`.padStart(9)}  ${e.licence}  [verified by ${check}]\n  ${e.name}: ${e.description ?? ''}`);
      }
    });

  models
    .command('pull')
    .description('download a catalog model (resumable), verify it and register it; the only command that uses the network')
    .argument('<id>', 'catalog id (see: quire models catalog)')
    .option('--json', 'print JSON: progress lines on stderr, the result on stdout')
    .action(async (id: string, flags: JsonFlag) => engine((api) => runPull(api, id, flags)));

  const adapters = program.command('adapters').description('LoRA adapters (GGUF): list, import, remove');

  adapters
    .command('list')
    .description('list registered adapters')
    .option('--json', 'print as JSON')
    .action(async (flags: JsonFlag) => {
      const list = await engine((api) => api.call('adapters.list', {}));
      // An adapter never checked against a model has no `base` (as the registry records it).
      if (flags.json) return printJson(list.map((a) => ({ ...a, base: a.base ?? undefined })));
      if (list.length === 0) return print('No adapters yet. Add a LoRA GGUF with: quire adapters import PATH --base MODEL');
      for (const a of list) print(adapterLine(a));
    });

  adapters
    .command('import')
    .description('register a LoRA adapter GGUF; refused if it does not fit its base model')
    .argument('<path>', 'a LoRA adapter .gguf file')
    .option('--base <model>', 'model id or path it must fit (default: the only registered model of its architecture)')
    .option('--id <id>', 'id to use instead of one made from the file name')
    .option('--sha256', 'hash the file and record its sha256')
    .option('--json', 'print as JSON')
    .action(async (path: string, flags: JsonFlag & { base?: string; id?: string; sha256?: boolean }) => {
      const result = await guard(flags, () => engine((api) => api.call('adapters.import', { path, base: flags.base, id: flags.id, sha256: flags.sha256 })));
      const { added, info, checkedAgainst, ...adapter } = result;
      if (flags.json) return printJson({ adapter: { ...adapter, base: adapter.base ?? undefined }, added, info, checkedAgainst: checkedAgainst ?? null });
      print(`${added ? 'Registered' : 'Already registered, updated'} adapter "${adapter.id}": ${describe(info!)}`);
      print(
        checkedAgainst
          ? `  fits ${checkedAgainst.id ? `model "${checkedAgainst.id}"` : checkedAgainst.path} (${info?.adapter?.targets ?? 0} tensors checked)`
          : `  not checked against a model: none or several ${info?.architecture ?? ''} models are registered; pass --base MODEL to check`,
      );
      print(`  ${adapter.path}`);
      print(IN_PLACE);
    });

  adapters
    .command('remove')
    .description('forget an adapter (your file is not deleted)')
    .argument('<id>', 'adapter id')
    .action(async (id: string) => {
      const { path, deletedFile } = await engine((api) => api.call('adapters.remove', { id }));
      print(deletedFile ? `Removed adapter "${id}" and deleted its downloaded file ${path}` : `Removed adapter "${id}" from the registry; ${path} was not touched`);
    });
}

async function runPull(api: EngineApi, id: string, flags: JsonFlag): Promise<void> {
  const item = (await api.call('models.catalog', {})).find((e) => e.id === id);
  const bar = !flags.json && process.stderr.isTTY ? new SingleBar({ format: '{file} {bar} {percentage}% | {done}/{size}', hideCursor: true, stream: process.stderr }) : null;
  let current = -1;
  let lastJson = 0;
  const onProgress = (p: PullEvent): void => {
    if (p.warning) {
      process.stderr.write(flags.json ? `${JSON.stringify({ event: 'warning', message: p.warning })}\n` : `warning: ${p.warning}\n`);
      return;
    }
    if (p.destDir) {
      if (!flags.json && item) process.stderr.write(`Downloading ${item.name} (${formatBytes(item.sizeBytes)}) to ${p.destDir}\n`);
      return;
    }
    const total = p.totalBytes ?? 0;
    const fileIndex = p.fileIndex ?? 0;
    if (bar) {
      if (current !== fileIndex) {
        if (current >= 0) bar.stop();
        bar.start(total || 1, 0, { file: p.file, done: '0', size: formatBytes(total) });
        current = fileIndex;
      }
      bar.setTotal(total || 1);
      bar.update(p.downloadedBytes, { done: formatBytes(p.downloadedBytes), size: formatBytes(total) });
    } else if (flags.json && Date.now() - lastJson > 500) {
      lastJson = Date.now();
      process.stderr.write(`${JSON.stringify({ event: 'progress', file: p.file, fileIndex, files: p.files, downloadedBytes: p.downloadedBytes, totalBytes: total })}\n`);
    }
  };
  try {
    const result = await interruptible(
      (signal) => guard(flags, () => api.call('models.pull', { id }, { signal, onEvent: (event) => onProgress(event as PullEvent) })),
      ['SIGINT', 'SIGTERM'],
    );
    bar?.stop();
    if (flags.json) return printJson({ id: result.id, kind: result.kind, path: result.path, verifiedBy: result.verifiedBy, model: result.model ?? null });
    print(`Pulled ${result.id} (verified by ${result.verifiedBy}) to ${result.path}`);
    if (result.model) print(`Registered as model "${result.model.id}"`);
    else print(`Use it with: quire index ... --embedder ${result.id}`);
  } catch (error) {
    bar?.stop();
    if (error instanceof EngineError && error.code === 'cancelled') {
      process.stderr.write('Interrupted: run the same command again to resume the download.\n');
      process.exitCode = 130;
      return;
    }
    throw error;
  }
}
type PullEvent = { file: string; fileIndex?: number; files?: number; downloadedBytes: number; totalBytes: number | null; destDir?: string; warning?: string };

/** With --json a refusal is also printed as {error: {code, message}} on stdout; the message always goes to stderr. */
async function guard<T>(flags: JsonFlag, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (flags.json && code !== 'cancelled') printJson({ error: { code: typeof code === 'string' ? code : 'error', message: String(message ?? error) } });
    throw error;
  }
}

function describe(info: GgufInfo): string {
  const parts = [info.architecture, formatBytes(info.sizeBytes), `~${formatCount(info.parameterCount)} parameters`];
  if (info.kind === 'model') {
    parts.push(info.hasChatTemplate ? 'chat template' : 'no chat template');
    if (info.contextLength) parts.push(`context ${info.contextLength}`);
  } else if (info.adapter) parts.push(`LoRA rank ${info.adapter.rank ?? '?'}, alpha ${info.adapter.alpha ?? '?'}`);
  return parts.join(', ');
}

function modelLine(m: ModelInfo): string {
  const flags = [m.active ? 'active' : '', m.hasChatTemplate ? 'chat template' : 'no chat template', m.catalogId ? `from catalog ${m.catalogId}` : '', existsSync(m.path) ? '' : 'FILE MISSING'];
  return `${m.id}\t${m.architecture}\t${formatBytes(m.sizeBytes)}\t${flags.filter(Boolean).join(', ')}\t${m.path}`;
}

function adapterLine(a: AdapterInfo): string {
  const flags = [a.base ? `fits ${a.base}` : 'base not checked', a.rank ? `rank ${a.rank}` : '', existsSync(a.path) ? '' : 'FILE MISSING'];
  return `${a.id}\t${a.architecture}\t${formatBytes(a.sizeBytes)}\t${flags.filter(Boolean).join(', ')}\t${a.path}`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
