import { spawn } from 'node:child_process';

/** Opens a file with the platform's viewer (Electron's engine host and the CLI use this). */
export function openWithSystemViewer(path: string): Promise<boolean> {
  const [command, args] = process.platform === 'darwin' ? ['open', [path]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', path]] : ['xdg-open', [path]];
  return new Promise((done) => {
    const child = spawn(command as string, args as string[], { detached: true, stdio: 'ignore' });
    child.once('error', () => done(false));
    child.once('spawn', () => {
      child.unref();
      done(true);
    });
  });
}

