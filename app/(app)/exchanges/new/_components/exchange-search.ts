import type { ExchangeCatalogEntry } from '@/lib/exchanges/catalog';

/** How well a text matches a query; lower is better, null is no match. */
const EXACT = 0;
const PREFIX = 1;
const WORD_PREFIX = 2;
const SUBSTRING = 3;

const normalize = (text: string) => text.trim().toLowerCase();

// "Crypto.com" → crypto, com; "Binance US" → binance, us; "coinbaseexchange" stays one word.
const words = (text: string) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);

function rankText(text: string, query: string): number | null {
  const value = normalize(text);
  if (value === query) return EXACT;
  if (value.startsWith(query)) return PREFIX;
  if (words(value).some((word) => word.startsWith(query))) return WORD_PREFIX;
  if (value.includes(query)) return SUBSTRING;
  return null;
}

/**
 * The exchanges a search matches, best first: the name or id equal to the query, then starting with
 * it, then a word of the name starting with it, then containing it anywhere; verified exchanges first
 * within a rank, then catalog order. Letters that only appear scattered ("zzzz" in Zaif and Zebpay)
 * match nothing, unlike a fuzzy search.
 */
export function rankExchanges(query: string, entries: readonly ExchangeCatalogEntry[]): ExchangeCatalogEntry[] {
  const wanted = normalize(query);
  if (wanted === '') return [...entries];
  const ranked: Array<{ entry: ExchangeCatalogEntry; rank: number; index: number }> = [];
  entries.forEach((entry, index) => {
    const ranks = [rankText(entry.name, wanted), rankText(entry.id, wanted)].filter(
      (rank): rank is number => rank !== null,
    );
    if (ranks.length > 0) ranked.push({ entry, rank: Math.min(...ranks), index });
  });
  ranked.sort((a, b) => a.rank - b.rank || Number(b.entry.verified) - Number(a.entry.verified) || a.index - b.index);
  return ranked.map(({ entry }) => entry);
}
