import type { ZodType } from 'zod';
import { contract, type MethodName } from '../../../electron/shared/contract.js';

export function schemaOf(method: MethodName, part: 'params' | 'result' | 'event'): ZodType | undefined {
  return (contract[method] as unknown as Record<string, ZodType | undefined>)[part];
}

/** "results.0.documents: Too small: expected number to be >=0; …" */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`).join('; ');
}
