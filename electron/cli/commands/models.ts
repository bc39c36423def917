import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { catalogEntryBytes, findCatalogEntry, hasChecksums, loadCatalog } from '../../engine/models/catalog.js';
import { defaultPullDir, pullFromCatalog, type PullProgress } from '../../engine/models/download.js';
import type { GgufInspection } from '../../engine/models/gguf.js';
import { ModelRegistry, type RegisteredAdapter, type RegisteredModel } from '../../engine/models/registry.js';
import { resolveDataDir } from '../data-dir.js';

type DataDirFlag = () => string | undefined;
interface JsonFlag {
  json?: boolean;
}

const IN_PLACE = 'The file is used where it is (not copied): moving or deleting it makes the entry unusable.';

/** `quire models ...` and `quire adapters ...`: the local registry of GGUF models and LoRA adapters, and the catalog. */
export function registerModelCommands(program: Command, dataDir: DataDirFlag): void {
  const registry = (): ModelRegistry => new ModelRegistry(resolveDataDir(dataDir()));
  const models = program.command('models').description('language models (GGUF): list, import, remove, and pull from the catalog');

  models
    .command('list')
    .description('list registered models')
    .option('--json', 'print as JSON')
    .action((flags: JsonFlag) => {
      const list = registry().listModels();
      if (flags.json) return printJson(list);
      if (list.length === 0) return print('No models yet. Add a GGUF file with: quire models import PATH (or see: quire models catalog)');
      for (const m of list) print(modelLine(m));
    });

  models
    .command('import')
    .description('register a GGUF model file (validated; referenced in place, not copied)')
    .argument('<path>', 'a .gguf model file')
    .option('--id <id>', 'id to use instead of one made from the file name')
    .option('--sha256', 'hash the file and record its sha256 (reads the whole file)')
    .option('--json', 'print as JSON')
    .action(async (path: string, flags: JsonFlag & { id?: string; sha256?: boolean }) => {
      const { model, added, info } = await guard(flags, () => registry().importModel(path, { id: flags.id, hash: flags.sha256 }));
      if (flags.json) return printJson({ model, added, info });
      print(`${added ? 'Registered' : 'Already registered, updated'} model "${model.id}": ${describe(info)}`);
      print(`  ${model.path}`);
      print(IN_PLACE);
    });

  models
    .command('remove')
    .description('forget a model (your file is not deleted; only files pulled into the data folder are)')
    .argument('<id>', 'model id')
    .action((id: string) => {
      const { model, deletedFile } = registry().removeModel(id);
      print(deletedFile ? `Removed model "${id}" and deleted its downloaded file ${model.path}` : `Removed model "${id}" from the registry; ${model.path} was not touched`);
    });

  models
    .command('catalog')
    .description('recommended models that "quire models pull ID" can download')
    .option('--json', 'print as JSON')
    .action((flags: JsonFlag) => {
      const catalog = loadCatalog();
      if (flags.json) return printJson(catalog.entries);
      for (const e of catalog.entries) {
        const { bytes, exact } = catalogEntryBytes(e);
        const check = hasChecksums(e) ? 'sha256' : 'size only';
        print(`${e.id.padEnd(24)} ${e.kind.padEnd(8)} ${`${exact ? '' : '~'}${formatBytes(bytes)}`.padStart(9)}  ${e.licence}  [verified by ${check}]\n  ${e.name}: ${e.description}`);
      }
    });

  models
    .command('pull')
    .description('download a catalog model (resumable), verify it and register it; the only command that uses the network')
    .argument('<id>', 'catalog id (see: quire models catalog)')
    .option('--json', 'print JSON: progress lines on stderr, the result on stdout')
    .action(async (id: string, flags: JsonFlag) => runPull(registry(), id, flags));

  const adapters = program.command('adapters').description('LoRA adapters (GGUF): list, import, remove');

  adapters
    .command('list')
    .description('list registered adapters')
    .option('--json', 'print as JSON')
    .action((flags: JsonFlag) => {
      const list = registry().listAdapters();
      if (flags.json) return printJson(list);
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
      const result = await guard(flags, () => registry().importAdapter(path, { base: flags.base, id: flags.id, hash: flags.sha256 }));
      const { adapter, added, info, checkedAgainst } = result;
      if (flags.json) return printJson({ adapter, added, info, checkedAgainst: checkedAgainst && { id: checkedAgainst.id, path: checkedAgainst.path } });
      print(`${added ? 'Registered' : 'Already registered, updated'} adapter "${adapter.id}": ${describe(info)}`);
      print(
        checkedAgainst
          ? `  fits ${checkedAgainst.id ? `model "${checkedAgainst.id}"` : checkedAgainst.path} (${info.adapter?.targets ?? 0} tensors checked)`
          : `  not checked against a model: none or several ${info.architecture} models are registered; pass --base MODEL to check`,
      );
      print(`  ${adapter.path}`);
      print(IN_PLACE);
    });

  adapters
    .command('remove')
    .description('forget an adapter (your file is not deleted)')
    .argument('<id>', 'adapter id')
    .action((id: string) => {
      const { adapter, deletedFile } = registry().removeAdapter(id);
      print(deletedFile ? `Removed adapter "${id}" and deleted its downloaded file ${adapter.path}` : `Removed adapter "${id}" from the registry; ${adapter.path} was not touched`);
    });
}

async function runPull(registry: ModelRegistry, id: string, flags: JsonFlag): Promise<void> {
  const entry = await guard(flags, async () => findCatalogEntry(loadCatalog(), id));
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = !flags.json && process.stderr.isTTY ? new SingleBar({ format: '{file} {bar} {percentage}% | {done}/{size}', hideCursor: true, stream: process.stderr }) : null;
  let current = -1;
  let lastJson = 0;
  const onProgress = (p: PullProgress): void => {
    if (bar) {
      if (current !== p.fileIndex) {
        if (current >= 0) bar.stop();
        bar.start(p.totalBytes || 1, 0, { file: p.file, done: '0', size: formatBytes(p.totalBytes) });
        current = p.fileIndex;
      }
      bar.setTotal(p.totalBytes || 1);
      bar.update(p.downloadedBytes, { done: formatBytes(p.downloadedBytes), size: formatBytes(p.totalBytes) });
    } else if (flags.json && Date.now() - lastJson > 500) {
      lastJson = Date.now();
      process.stderr.write(`${JSON.stringify({ event: 'progress', ...p })}\n`);
    }
  };
  const destDir = defaultPullDir(registry, entry);
  if (!flags.json) process.stderr.write(`Downloading ${entry.name} (${formatBytes(catalogEntryBytes(entry).bytes)}) to ${destDir}\n`);
  try {
    const result = await guard(flags, () =>
      pullFromCatalog(entry, destDir, {
        registry,
        signal: abort.signal,
        onProgress,
        onWarning: (message) => process.stderr.write(flags.json ? `${JSON.stringify({ event: 'warning', message })}\n` : `warning: ${message}\n`),
      }),
    );
    bar?.stop();
    if (flags.json) return printJson({ id: entry.id, kind: entry.kind, path: result.path, verifiedBy: result.verifiedBy, model: result.model ?? null });
    print(`Pulled ${entry.id} (verified by ${result.verifiedBy}) to ${result.path}`);
    if (result.model) print(`Registered as model "${result.model.id}"`);
    else print(`Use it with: quire index ... --embedder ${entry.id}`);
  } catch (error) {
    bar?.stop();
    if (abort.signal.aborted) {
      process.stderr.write('Interrupted: run the same command again to resume the download.\n');
      process.exitCode = 130;
      return;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** With --json a refusal is also printed as {error: {code, message}} on stdout; the message always goes to stderr. */
async function guard<T>(flags: JsonFlag, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (flags.json) printJson({ error: { code: typeof code === 'string' ? code : 'error', message: String(message ?? error) } });
    throw error;
  }
}

function describe(info: GgufInspection): string {
  const parts = [info.architecture, formatBytes(info.sizeBytes), `~${formatCount(info.parameterCount)} parameters`];
  if (info.kind === 'model') {
    parts.push(info.hasChatTemplate ? 'chat template' : 'no chat template');
    if (info.contextLength) parts.push(`context ${info.contextLength}`);
  } else if (info.adapter) parts.push(`LoRA rank ${info.adapter.rank ?? '?'}, alpha ${info.adapter.alpha ?? '?'}`);
  return parts.join(', ');
}

function modelLine(m: RegisteredModel): string {
  const flags = [m.hasChatTemplate ? 'chat template' : 'no chat template', m.catalogId ? `from catalog ${m.catalogId}` : '', existsSync(m.path) ? '' : 'FILE MISSING'];
  return `${m.id}\t${m.architecture}\t${formatBytes(m.sizeBytes)}\t${flags.filter(Boolean).join(', ')}\t${m.path}`;
}

function adapterLine(a: RegisteredAdapter): string {
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
