import { Profile } from '../route/profiles.js';

export const BUILTIN_MODES = ['search-only', 'rag-base', 'adapter-only', 'rag-adapter', 'router'] as const;
export type BuiltinMode = (typeof BUILTIN_MODES)[number];

const CLOSED_BOOK_PROMPT =
  "You answer questions about the user's documents from what you learned in training; no passages are given. " +
  'Answer briefly. If you do not know, say that the library does not contain it.';

export interface ModePlan {
  id: string;
  label: string;
  description: string;
  skip: string | null;
  /** Needs the language model (else the answerer runs search-only). */
  usesModel: boolean;
  /** The profiles the mode's router may choose from, and the one it is told to use (none: the router decides). */
  profiles: Profile[];
  explicit?: string;
  /** Search-only answers list passages without citing them. */
  cites: boolean;
}

export interface PlanInput {
  k: number;
  modes: readonly BuiltinMode[];
  /** Saved profiles to evaluate as extra modes (`profile:NAME`). */
  profileNames: readonly string[];
  savedProfiles: readonly Profile[];
  hasModel: boolean;
  adapters: readonly { adapter: string; scale: number }[];
}

const NO_MODEL = 'needs a language model: pass --model ID|PATH (or import one with quire models import)';
const NO_ADAPTER = 'needs a LoRA adapter: pass --adapter ID|PATH[:scale], or save a profile with adapters';

export function planModes(input: PlanInput): ModePlan[] {
  const fixed = (name: string, fields: Partial<Profile>): Profile[] => [Profile.parse({ name, k: Math.min(50, input.k), ...fields })];
  const adapters = input.adapters.map((a) => ({ adapter: a.adapter, scale: a.scale }));
  const needAdapter = !input.hasModel ? NO_MODEL : adapters.length === 0 ? NO_ADAPTER : null;
  const plans: Record<BuiltinMode, ModePlan> = {
    'search-only': {
      id: 'search-only', label: 'Search only', description: 'retrieval alone; the answer is the top passage',
      skip: null, usesModel: false, profiles: fixed('search-only', {}), explicit: 'search-only', cites: false,
    },
    'rag-base': {
      id: 'rag-base', label: 'Your documents + model', description: 'retrieved passages, base model, no adapter',
      skip: input.hasModel ? null : NO_MODEL, usesModel: true, profiles: fixed('rag-base', {}), explicit: 'rag-base', cites: true,
    },
    'adapter-only': {
      id: 'adapter-only', label: 'Adapter alone, no documents', description: 'the fine-tuned model answers from memory',
      skip: needAdapter, usesModel: true, profiles: fixed('adapter-only', { retrieval: false, adapters, systemPrompt: CLOSED_BOOK_PROMPT }),
      explicit: 'adapter-only', cites: false,
    },
    'rag-adapter': {
      id: 'rag-adapter', label: 'Your documents + adapter', description: 'retrieved passages and the fine-tuned model',
      skip: needAdapter, usesModel: true, profiles: fixed('rag-adapter', { adapters }), explicit: 'rag-adapter', cites: true,
    },
    router: {
      id: 'router', label: "Router's choice", description: 'the profile the router picks for each question',
      skip: input.hasModel ? null : NO_MODEL, usesModel: true, profiles: [...input.savedProfiles], cites: true,
    },
  };
  const chosen = BUILTIN_MODES.filter((m) => input.modes.includes(m)).map((m) => plans[m]);
  for (const name of input.profileNames) {
    const profile = input.savedProfiles.find((p) => p.name === name);
    chosen.push({
      id: `profile:${name}`, label: `Profile ${name}`, description: profile?.description || `the saved profile "${name}"`,
      skip: !profile ? `no saved profile named "${name}"` : input.hasModel ? null : NO_MODEL,
      usesModel: true, profiles: [...input.savedProfiles], explicit: name, cites: profile?.retrieval ?? true,
    });
  }
  return chosen;
}
