// RFC 4180 CSV for the exports: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled.
// A spreadsheet runs a cell that begins with = + - @ (or a tab or CR, which some strip before looking) as a formula,
// so such a text cell gets a leading apostrophe (OWASP's advice) — a label like "=HYPERLINK(…)" reads as text.
// Numbers are written by the exporter as plain decimal strings and marked as such, so "-12.5" stays a number.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A cell: text (neutralised if it could run as a formula) or a number kept as written. */
export type CsvCell = string | { number: string } | null;

/** A decimal string to write as a number (a leading minus is not a formula). Anything else is treated as text. */
export const csvNumber = (value: string | null): CsvCell => (value === null ? null : { number: value });

function cellText(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') {
    if (PLAIN_DECIMAL.test(cell.number)) return cell.number;
    return neutralise(cell.number);
  }
  return neutralise(cell);
}

const neutralise = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);

export function csvField(cell: CsvCell): string {
  const text = cellText(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record with its CRLF. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** A whole document: the header, then the rows. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  let out = csvRow(header);
  for (const row of rows) out += csvRow(row);
  return out;
}

/**
 * A streamed CSV response body: the header, then each row as it is produced, encoded as UTF-8, so a large export
 * never has to sit in memory as one string.
 */
export function csvStream(
  header: readonly string[],
  rows: AsyncIterable<readonly CsvCell[]> | Iterable<readonly CsvCell[]>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = (Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]()) as
    AsyncIterator<readonly CsvCell[]> | Iterator<readonly CsvCell[]>;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRow(header)));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvRow(next.value)));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** `attachment; filename=…` for a download, with a date in the name so a second export does not overwrite the first. */
export function csvDownloadHeaders(name: string, now = new Date()): HeadersInit {
  const date = now.toISOString().slice(0, 10);
  return {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="coinsphere-${name}-${date}.csv"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
}
