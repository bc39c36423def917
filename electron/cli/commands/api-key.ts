import type { Command } from 'commander';
import { readOrCreateApiKey, rotateApiKey } from '../../engine/index.js';
import { resolveDataDir } from '../data-dir.js';

/** `quire api-key [--rotate]`: the key for the OpenAI-compatible API of `quire serve`. */
export function registerApiKeyCommand(program: Command, dataDir: () => string | undefined): void {
  program
    .command('api-key')
    .description('print the API key of the OpenAI-compatible API (http://127.0.0.1:PORT/v1 on quire serve)')
    .option('--rotate', 'replace the key with a new one (the old one stops working at once)')
    .action((flags: { rotate?: boolean }) => {
      const dir = resolveDataDir(dataDir());
      process.stdout.write(`${flags.rotate ? rotateApiKey(dir) : readOrCreateApiKey(dir)}\n`);
    });
}
