import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Everything the process writes to stdout and stderr during each test (the logger writes to stdout),
 * still passed through to the terminal. Test support only.
 */
export function captureOutput(): { text: () => string; logLines: () => Record<string, unknown>[] } {
  let chunks: string[] = [];
  beforeEach(() => {
    chunks = [];
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
        chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return write(chunk, ...rest);
      });
    }
  });
  afterEach(() => vi.restoreAllMocks());
  const text = () => chunks.join('');
  return {
    text,
    logLines: () =>
      text()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
