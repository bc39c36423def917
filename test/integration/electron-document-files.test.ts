import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineApi, type EngineApi } from '../../electron/engine/index.js';
import { appProtocolHandler, DOCUMENT_URL_TEMPLATE } from '../../electron/main/protocol.js';
import { ROOT, tempDir } from '../helpers.js';

/**
 * The desktop app's passage view draws a PDF's page from the document's URL, as browser mode does
 * from `/files/`: the engine (real, indexing a real PDF) hands out `app://quire/files/...` URLs and
 * main's app:// handler serves them, opened once and streamed, with the same headers.
 */

const PDF = resolve(ROOT, 'test', 'fixtures', 'generated', 'all-formats', 'report.pdf');

let tmp: ReturnType<typeof tempDir>;
let api: EngineApi;
let docs: string;

beforeAll(async () => {
  tmp = tempDir();
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  copyFileSync(PDF, join(docs, 'report.pdf'));
  writeFileSync(join(docs, 'notes.txt'), 'The lighthouse keeper logs the tides.\n');
  api = await createEngineApi({ dataDir: join(tmp.dir, 'data'), fileUrlTemplate: DOCUMENT_URL_TEMPLATE });
  await api.call('libraries.create', { library: 'my-docs', folders: [docs], embedder: null });
  await api.call('libraries.index', { library: 'my-docs' });
}, 120_000);
afterAll(async () => {
  await api?.close();
  tmp?.cleanup();
});

describe('desktop app: document files over app://', () => {
  it('a PDF passage carries an app:// URL that serves the PDF itself, shown and never run', async () => {
    const hit = await found('wombat burrows', 'report.pdf');
    const passage = await api.call('passages.get', { library: 'my-docs', chunkId: hit.chunkId });
    expect(passage.page).toBe(2);
    expect(passage.fileUrl).toBe(`app://quire/files/my-docs/${hit.documentId}`);

    const handler = appProtocolHandler(join(tmp.dir, 'no-ui'), { engine: api });
    const response = await handler({ url: passage.fileUrl! });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(PDF))).toBe(true);
  });

  it('no such document, a malformed URL, or a file that became a folder is a 404, and the handler keeps serving', async () => {
    const handler = appProtocolHandler(join(tmp.dir, 'no-ui'), { engine: api });
    const notes = await found('lighthouse keeper', 'notes.txt');
    for (const url of ['app://quire/files/my-docs/999999', 'app://quire/files/nope/1', 'app://quire/files/%ff/1', 'app://quire/files/my-docs/1/extra', 'app://quire/files/my-docs/x']) {
      expect((await handler({ url })).status, url).toBe(404);
    }
    rmSync(join(docs, 'notes.txt'));
    mkdirSync(join(docs, 'notes.txt'));
    expect((await handler({ url: `app://quire/files/my-docs/${notes.documentId}` })).status).toBe(404);
    rmSync(join(docs, 'notes.txt'), { recursive: true });
    writeFileSync(join(docs, 'notes.txt'), 'Back again.\n');
    const back = await handler({ url: `app://quire/files/my-docs/${notes.documentId}` });
    expect(back.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await back.text()).toBe('Back again.\n');
  });
});


async function found(query: string, relativePath: string) {
  const { results } = await api.call('search', { library: 'my-docs', query, mode: 'lexical' });
  const hit = results.find((r) => r.relativePath === relativePath);
  expect(hit, `${query} in ${relativePath}`).toBeDefined();
  return hit!;
}
