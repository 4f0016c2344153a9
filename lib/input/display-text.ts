/**
 * Text that other people's screens and our logs show as is (connection labels, names) must not hold
 * control characters (NUL cannot even be stored in PostgreSQL text; a line break forges log lines) or
 * the invisible marks that reorder what follows them (bidirectional overrides and isolates, the
 * left-to-right and right-to-left marks), which can make "moc.elpmaxe" read as "example.com". Safe in
 * the browser: the forms run the same schemas.
 */
const HIDDEN = /[\p{Cc}\p{Cs}\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export function hasHiddenCharacters(value: string): boolean {
  return HIDDEN.test(value);
}
