import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { QuireError } from '../errors.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits').nullable();
const HttpsUrl = z.url({ protocol: /^https$/ });
const Id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lowercase letters, digits, ".", "_" and "-"');

const LlmEntry = z.object({
  id: Id,
  kind: z.literal('llm'),
  name: z.string().min(1),
  description: z.string().default(''),
  url: HttpsUrl,
  fileName: z.string().regex(/^[^/\\]+\.gguf$/),
  /** Exact size of the file: a download of any other size is refused. */
  sizeBytes: z.number().int().positive(),
  /** null: not known for certain, so the download is verified by size only (and says so). */
  sha256: Sha256,
  licence: z.string().min(1),
  homepage: HttpsUrl.optional(),
  contextLength: z.number().int().positive().optional(),
});

const EmbedderFile = z.object({
  /** Where the file goes inside the model's folder (transformers.js layout), e.g. `onnx/model.onnx`. */
  path: z.string().regex(/^(?!\/)(?!.*\.\.)[\w./-]+$/),
  url: HttpsUrl,
  /** Exact size when known; null when only approxSizeBytes is known (then the server's length is all that is checked). */
  sizeBytes: z.number().int().positive().nullable(),
  approxSizeBytes: z.number().int().positive().optional(),
  sha256: Sha256,
});

const EmbedderEntry = z.object({
  id: Id,
  kind: z.literal('embedder'),
  name: z.string().min(1),
  description: z.string().default(''),
  dimension: z.number().int().positive(),
  licence: z.string().min(1),
  homepage: HttpsUrl.optional(),
  files: z.array(EmbedderFile).min(1),
});

export const CatalogEntry = z.discriminatedUnion('kind', [LlmEntry, EmbedderEntry]);
export type CatalogEntry = z.infer<typeof CatalogEntry>;
export type LlmCatalogEntry = z.infer<typeof LlmEntry>;
export type EmbedderCatalogEntry = z.infer<typeof EmbedderEntry>;

export const Catalog = z
  .object({ version: z.literal(1), entries: z.array(CatalogEntry) })
  .refine((c) => new Set(c.entries.map((e) => e.id)).size === c.entries.length, 'catalog ids must be unique');
export type Catalog = z.infer<typeof Catalog>;

export class CatalogError extends QuireError {
  declare readonly code: 'catalog-invalid' | 'unknown-catalog-id';
  constructor(code: 'catalog-invalid' | 'unknown-catalog-id', message: string) {
    super(code, message);
  }
}

/** `models/catalog.json` at the package root: three levels up from both electron/engine/models and dist/engine/models. */
export function defaultCatalogPath(): string {
  return fileURLToPath(new URL('../../../models/catalog.json', import.meta.url));
}

export function loadCatalog(file = defaultCatalogPath()): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogError('catalog-invalid', `Cannot read the model catalog ${file}: ${(error as Error).message}`);
  }
  const parsed = Catalog.safeParse(raw);
  if (!parsed.success) throw new CatalogError('catalog-invalid', `The model catalog ${file} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function findCatalogEntry(catalog: Catalog, id: string): CatalogEntry {
  const entry = catalog.entries.find((e) => e.id === id);
  if (!entry) {
    throw new CatalogError('unknown-catalog-id', `No catalog entry "${id}". Known ids: ${catalog.entries.map((e) => e.id).join(', ')} (see "quire models catalog")`);
  }
  return entry;
}

/** Download size for display: exact where known, else the approximate size. */
export function catalogEntryBytes(entry: CatalogEntry): { bytes: number; exact: boolean } {
  if (entry.kind === 'llm') return { bytes: entry.sizeBytes, exact: true };
  return entry.files.reduce<{ bytes: number; exact: boolean }>(
    (sum, f) => ({ bytes: sum.bytes + (f.sizeBytes ?? f.approxSizeBytes ?? 0), exact: sum.exact && f.sizeBytes !== null }),
    { bytes: 0, exact: true },
  );
}

/** Whether every file of the entry has a published sha256 to check against. */
export function hasChecksums(entry: CatalogEntry): boolean {
  return entry.kind === 'llm' ? entry.sha256 !== null : entry.files.every((f) => f.sha256 !== null);
}
