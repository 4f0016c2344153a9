// The server actions under app/, found by reading the files (not from a list), for the tests that call
// every one of them: the access matrix and the bad-input suite. lib/ may not import app/, so the actions
// are loaded by file path at run time.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ServerAction = (input?: unknown) => Promise<unknown>;
export type ActionClientName = 'actionClient' | 'authActionClient';

/** How an action was built: from which client of lib/safe-action, with which input schema. */
export interface ActionBuild {
  client: ActionClientName;
  schema?: unknown;
}

const isSource = (name: string) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name);

/** Files under `dir` whose first statement is the 'use server' directive: every export is an action. */
export function serverActionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return serverActionFiles(file);
    if (!isSource(entry.name)) return [];
    const source = readFileSync(file, 'utf8').replace(/^(\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/, '');
    return /^(['"])use server\1/.test(source) ? [file] : [];
  });
}

/** Inline `'use server'` (inside a function) would make an action these tests cannot find by file. */
export function inlineServerDirectives(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return inlineServerDirectives(root, file);
    if (!isSource(entry.name)) return [];
    const lines = readFileSync(file, 'utf8').split('\n');
    const first = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    return lines.flatMap((line, index) =>
      index !== first && /^\s*(['"])use server\1/.test(line) ? [`${path.relative(root, file)}:${index + 1}`] : [],
    );
  });
}

/** Every server action under `appDir` by its exported name (names are unique across files). */
export async function loadServerActions(
  appDir: string,
): Promise<Record<string, { file: string; action: ServerAction }>> {
  const actions: Record<string, { file: string; action: ServerAction }> = {};
  for (const file of serverActionFiles(appDir)) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const [name, action] of Object.entries(exports)) {
      if (actions[name]) throw new Error(`Two server actions are named ${name}`);
      actions[name] = { file: path.relative(appDir, file), action: action as ServerAction };
    }
  }
  return actions;
}

/**
 * Wraps lib/safe-action's clients so each action they build is recorded in `builds` with its client and
 * input schema. Follows the builder chain (`.inputSchema(…).action(…)`); methods are called on the
 * real builder (`this` = target), so nothing about their behaviour changes.
 */
export function traceActionClients<T extends Record<ActionClientName, object>>(
  real: T,
  builds: WeakMap<object, ActionBuild>,
): Pick<T, ActionClientName> {
  const traced = <B extends object>(builder: B, build: ActionBuild): B =>
    new Proxy(builder, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (property === 'action' || property === 'stateAction') {
            builds.set(out as object, build);
            return out;
          }
          const next = property === 'inputSchema' ? { ...build, schema: args[0] } : build;
          return typeof out === 'object' && out !== null ? traced(out, next) : out;
        };
      },
    });
  return {
    actionClient: traced(real.actionClient, { client: 'actionClient' }),
    authActionClient: traced(real.authActionClient, { client: 'authActionClient' }),
  } as Pick<T, ActionClientName>;
}

/** Runs an action as the browser would; a redirect (Next throws it) comes back as `{ redirect }`. */
export async function callAction<T>(action: (input: T) => Promise<unknown>, input: T): Promise<unknown> {
  try {
    return await action(input);
  } catch (error) {
    const digest = (error as { digest?: unknown }).digest;
    if (typeof digest === 'string' && digest.startsWith('NEXT_REDIRECT')) return { redirect: digest.split(';')[2] };
    throw error;
  }
}
