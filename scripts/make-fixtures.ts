// Generates the deterministic document fixtures the tests and the README's examples use.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeAllFormats } from './fixtures/all-formats.js';
import { makeBadInputs } from './fixtures/bad-inputs.js';
import { makeScansSheetsMail } from './fixtures/scans-sheets-mail.js';
import { makeTinyEmbedder } from './fixtures/tiny-embedder.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'generated');

async function main(): Promise<void> {
  for (const name of ['all-formats', 'bad-inputs', 'scans-sheets-mail']) {
    const dir = join(root, name);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const passages = await makeAllFormats(join(root, 'all-formats'));
  writeFileSync(join(root, 'all-formats.expected.json'), JSON.stringify(passages, null, 2));
  const outcomes = await makeBadInputs(join(root, 'bad-inputs'));
  writeFileSync(join(root, 'bad-inputs.expected.json'), JSON.stringify(outcomes, null, 2));
  const scans = await makeScansSheetsMail(join(root, 'scans-sheets-mail'));
  writeFileSync(join(root, 'scans-sheets-mail.expected.json'), JSON.stringify(scans, null, 2));
  makeTinyEmbedder(join(root, 'models', 'tiny-embedder'));
  process.stdout.write(`fixtures written to ${root}\n`);
}

await main();
