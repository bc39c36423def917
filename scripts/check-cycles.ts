// Fails when the modules under electron/ and renderer/src import each other in a cycle. Every
// relative import counts, `import type` included (a type cycle still ties the modules' layers
// together), as do re-exports and dynamic import(). Run by `npm run lint`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const roots = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['electron', 'renderer/src']).map((dir) => resolve(root, dir));

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') sources(path, out);
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** './x.js' from a .ts file is './x.ts' (or .tsx, or a folder's index). */
function resolveImport(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|ts|tsx|mjs|cjs)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (/\.tsx?$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return null;
}

function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specifiers.push(node.arguments[0].text);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifiers.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.flatMap((specifier) => resolveImport(file, specifier) ?? []);
}

const graph = new Map<string, string[]>();
for (const dir of roots) for (const file of sources(dir)) graph.set(file, [...new Set(importsOf(file))]);

// Tarjan's strongly connected components: every component with more than one module is a cycle.
let index = 0;
const indices = new Map<string, number>();
const lowlinks = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const cycles: string[][] = [];
function connect(node: string): void {
  indices.set(node, index);
  lowlinks.set(node, index++);
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!graph.has(next)) continue;
    if (!indices.has(next)) {
      connect(next);
      lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
    } else if (onStack.has(next)) lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
  }
  if (lowlinks.get(node) === indices.get(node)) {
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = component.length === 1 && graph.get(node)!.includes(node);
    if (component.length > 1 || selfImport) cycles.push(component);
  }
}
for (const node of graph.keys()) if (!indices.has(node)) connect(node);

/** One concrete loop through a component, to say which imports to break. */
function loopThrough(component: string[]): string[] {
  const members = new Set(component);
  const start = component.sort()[0]!;
  const seen = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let at = seen.get(node); at; at = seen.get(at)) path.unshift(at);
        return [...path, start];
      }
      if (!seen.has(next)) {
        seen.set(next, node);
        queue.push(next);
      }
    }
  }
  return component;
}

const rel = (file: string): string => relative(root, file);
if (cycles.length > 0) {
  process.stderr.write(`Import cycles (${cycles.length}); move the shared type or function down to the lower module:\n`);
  for (const component of cycles) process.stderr.write(`  ${loopThrough(component).map(rel).join(' -> ')}${component.length > 2 ? `  (${component.length} modules in this cycle)` : ''}\n`);
  process.exit(1);
}
process.stdout.write(`No import cycles among ${graph.size} modules.\n`);
