import { z } from 'zod';

/** The instructions a profile starts with: answer only from the numbered passages, citing them. */
export const DEFAULT_SYSTEM_PROMPT =
  'You answer questions using only the numbered passages from the user\'s own documents. ' +
  'After each claim, cite the passage it comes from by its number in square brackets, like [1] or [2][3]. ' +
  'If the passages do not contain the answer, say that the library does not contain it. Do not invent facts.';

export const ProfileAdapter = z.object({
  /** Adapter id in the registry, or a path to a LoRA .gguf. */
  adapter: z.string().min(1),
  scale: z.number().min(0).max(4),
});

/** An answer profile: adapters with scales, retrieval on or off, k, a system prompt, and what routes questions to it. */
export const Profile = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'profile names use letters, digits, ".", "_" and "-"'),
  description: z.string().default(''),
  adapters: z.array(ProfileAdapter).default([]),
  retrieval: z.boolean().default(true),
  k: z.number().int().min(1).max(50).default(6),
  systemPrompt: z.string().default(DEFAULT_SYSTEM_PROMPT),
  /** Regular expressions (case-insensitive) that send a question to this profile. */
  rules: z.array(z.string()).default([]),
  /** Example questions; the router sends a question to the profile whose examples it is most like. */
  examples: z.array(z.string()).default([]),
});
export type Profile = z.infer<typeof Profile>;
