import { parentPort } from 'node:worker_threads';
import { parseFile, type ParseTask } from './parse-file.js';

type Request = { id: number; task: ParseTask };

/**
 * Parser entry, run either as a child process (default: a crash or out-of-memory there cannot
 * touch the engine) or as a worker thread (where child processes are not available).
 */
if (parentPort) {
  const port = parentPort;
  port.on('message', (message: Request) => void parseFile(message.task).then((result) => port.postMessage({ id: message.id, result })));
} else if (process.send) {
  process.on('message', (message: Request) => void parseFile(message.task).then((result) => process.send!({ id: message.id, result })));
  process.on('disconnect', () => process.exit(0));
}
