import { resolveDataDir } from '../data-dir.js';
import { startBrowserMode } from '../server.js';

export async function runServe(dataDirFlag: string | undefined, flags: { port?: number; watch: boolean }): Promise<void> {
  const server = await startBrowserMode({ dataDir: resolveDataDir(dataDirFlag), port: flags.port, watch: flags.watch });
  process.stdout.write(`Quire is running in browser mode (loopback only). Open:\n  ${server.url}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
}
