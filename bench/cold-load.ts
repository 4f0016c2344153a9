// One measurement in a fresh process: `tsx --conditions=react-server bench/cold-load.ts layer|ccxt`.
import { performance } from 'node:perf_hooks';

const mode = process.argv[2];
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
if (mode === 'ccxt') {
  const ccxt = await import('ccxt');
  void new ccxt.binance();
} else {
  const { loadExchangeClass } = await import('@/lib/exchanges/ccxt-loader');
  const Binance = await loadExchangeClass('binance');
  void new Binance();
}
const ms = performance.now() - start;
console.info(JSON.stringify({ ms, rssMb: (process.memoryUsage().rss - rssBefore) / 1024 / 1024 }));
