/** "Try again in 42 s." — the sentence every refusal ends with. */
export function tryAgainIn(retryAfterMs: number): string {
  return `Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`;
}
