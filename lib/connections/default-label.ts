/**
 * A label for a new connection when the user gave none: the exchange's name, then "Binance 2",
 * "Binance 3"… so that several accounts on one exchange are told apart. Compared case-insensitively.
 */
export function defaultLabel(exchangeName: string, existingLabels: readonly string[]): string {
  const taken = new Set(existingLabels.map((label) => label.trim().toLowerCase()));
  if (!taken.has(exchangeName.toLowerCase())) return exchangeName;
  for (let n = 2; ; n++) {
    const candidate = `${exchangeName} ${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
