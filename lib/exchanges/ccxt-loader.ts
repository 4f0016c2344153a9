import 'server-only';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Exchange } from 'ccxt';

/**
 * Loads one ccxt exchange without evaluating the other hundred: `import('ccxt')` statically imports
 * every exchange (0.5–0.7 s, +84 MB), and ccxt's exports map hides per-exchange files, so we import
 * the file by path. The error classes come from the same `js/src/base/errors.js` module instance
 * that file imports, so `instanceof` checks hold. `npm run bench` measures the difference.
 */
let ccxtRoot: string | undefined;

function fileUrl(relative: string): string {
  // Resolved at run time from the app's own folder: a bundler would turn a static `require.resolve`
  // into a module id, and ccxt stays outside the bundle (serverExternalPackages).
  ccxtRoot ??= path.resolve(
    path.dirname(createRequire(path.join(/*turbopackIgnore: true*/ process.cwd(), 'package.json')).resolve('ccxt')),
    '..',
  );
  return pathToFileURL(path.join(ccxtRoot, 'js', relative)).href;
}

const ID = /^[a-z0-9]+$/;

export type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

const classes = new Map<string, Promise<ExchangeClass>>();

export function loadExchangeClass(id: string): Promise<ExchangeClass> {
  if (!ID.test(id)) return Promise.reject(new Error(`Unknown exchange "${id}"`));
  let loading = classes.get(id);
  if (!loading) {
    loading = import(/* webpackIgnore: true */ /* turbopackIgnore: true */ fileUrl(`src/${id}.js`)).then(
      (module: { default: ExchangeClass }) => module.default,
    );
    classes.set(id, loading);
    loading.catch(() => classes.delete(id));
  }
  return loading;
}
