import type { Embedder } from '../embed/embedder.js';
import type { Profile } from './profiles.js';

export interface RouteDecision {
  profile: Profile;
  /** How it was chosen: `explicit`, `rule`, `examples` or `default`. */
  method: 'explicit' | 'rule' | 'examples' | 'default';
  reason: string;
}

export interface RouterOptions {
  /** Below this cosine similarity to every example, the default profile answers. */
  minSimilarity?: number;
}

/**
 * Picks the profile for a question: the user's explicit choice, else the first profile whose rule
 * matches, else the profile with the most similar example question (by the library's embedder),
 * else `default`. Every decision says why.
 */
export class Router {
  private exampleVectors: Map<string, { profile: Profile; text: string; vector: Float32Array }[]> | null = null;

  constructor(
    private readonly profiles: readonly Profile[],
    private readonly embedder: Embedder | null,
    private readonly options: RouterOptions = {},
  ) {}

  async route(question: string, explicit?: string): Promise<RouteDecision> {
    if (explicit) {
      const profile = this.profiles.find((p) => p.name === explicit);
      if (!profile) throw new Error(`No profile named "${explicit}" (have: ${this.profiles.map((p) => p.name).join(', ')})`);
      return { profile, method: 'explicit', reason: `profile "${explicit}" was chosen explicitly` };
    }
    for (const profile of this.profiles) {
      for (const rule of profile.rules) {
        if (new RegExp(rule, 'i').test(question)) return { profile, method: 'rule', reason: `the question matches rule /${rule}/ of "${profile.name}"` };
      }
    }
    const nearest = await this.nearestExample(question);
    const threshold = this.options.minSimilarity ?? 0.5;
    if (nearest && nearest.similarity >= threshold) {
      return {
        profile: nearest.profile, method: 'examples',
        reason: `most similar to the example "${nearest.text}" of "${nearest.profile.name}" (similarity ${nearest.similarity.toFixed(2)})`,
      };
    }
    const fallback = this.profiles.find((p) => p.name === 'default') ?? this.profiles[0]!;
    return {
      profile: fallback, method: 'default',
      reason: nearest ? `no rule matched and no example was similar enough (best ${nearest.similarity.toFixed(2)} < ${threshold})` : 'no rule or example matched',
    };
  }

  private async nearestExample(question: string): Promise<{ profile: Profile; text: string; similarity: number } | null> {
    if (!this.embedder || !this.profiles.some((p) => p.examples.length > 0)) return null;
    if (!this.exampleVectors) {
      this.exampleVectors = new Map();
      for (const profile of this.profiles) {
        if (profile.examples.length === 0) continue;
        // Examples are questions, so they are embedded the way queries are.
        const vectors: Float32Array[] = [];
        for (const example of profile.examples) vectors.push(await this.embedder.embedQuery(example));
        this.exampleVectors.set(profile.name, profile.examples.map((text, i) => ({ profile, text, vector: vectors[i]! })));
      }
    }
    const query = await this.embedder.embedQuery(question);
    let best: { profile: Profile; text: string; similarity: number } | null = null;
    for (const examples of this.exampleVectors.values()) {
      for (const example of examples) {
        const similarity = dot(query, example.vector);
        if (!best || similarity > best.similarity) best = { profile: example.profile, text: example.text, similarity };
      }
    }
    return best;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
