import { resolveDataDir } from '../data-dir.js';
import { startBrowserMode } from '../server.js';

export async function runServe(dataDirFlag: string | undefined, flags: { port?: number; watch: boolean; model?: string }): Promise<void> {
  const server = await startBrowserMode({ dataDir: resolveDataDir(dataDirFlag), port: flags.port, watch: flags.watch, model: flags.model });
  process.stdout.write(`Quire is running in browser mode (loopback only). Open:\n  ${server.url}\n`);
  process.stdout.write(`OpenAI-compatible API: http://127.0.0.1:${server.port}/v1 (API key: quire api-key)\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
}
