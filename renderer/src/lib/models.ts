import { basename } from './format.js';

/**
 * What to call a model or adapter. GGUF metadata often names only the architecture ("llama",
 * "LLaMA v2"), which tells two models apart no better than nothing: then the file's name is used.
 */
export function modelLabel(model: { id: string; name: string | null; architecture: string; path: string }): string {
  const file = basename(model.path).replace(/\.gguf$/i, '') || model.id;
  const name = model.name?.trim();
  if (!name) return file;
  const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  const architecture = squash(model.architecture);
  const said = squash(name);
  if (said === architecture || said.replace(/v?\d+$/, '') === architecture) return file;
  return name;
}
