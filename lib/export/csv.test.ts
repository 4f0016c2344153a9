import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvNumber, csvStream, toCsv, type CsvCell } from './csv';

// An independent RFC 4180 parser reads what we write: what goes in comes back, cell for cell.
const read = (csv: string): string[][] => parse(csv, { relax_column_count: false, record_delimiter: '\r\n' });

const FORMULA = /^[=+\-@\t\r]/;
const expectedText = (text: string) => (FORMULA.test(text) ? `'${text}` : text);

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvField('Binance, main')).toBe('"Binance, main"');
    expect(csvField('the "savings" one')).toBe('"the ""savings"" one"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
  });

  it('neutralises text that a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('a=1')).toBe('a=1');
  });

  it('keeps a negative decimal a number, but neutralises a "number" that is not a plain decimal', () => {
    expect(csvField(csvNumber('-12.5'))).toBe('-12.5');
    expect(csvField(csvNumber('0.00000001'))).toBe('0.00000001');
    expect(csvField(csvNumber('-1+cmd|calc'))).toBe("'-1+cmd|calc");
    expect(csvField(csvNumber(null))).toBe('');
  });
});

// Hundreds of generated documents per property: slower than the 5 s default on a busy machine.
describe('toCsv', { timeout: 30_000 }, () => {
  it('writes CRLF records with a header', () => {
    expect(toCsv(['asset', 'amount'], [['BTC', csvNumber('1.5')]])).toBe('asset,amount\r\nBTC,1.5\r\n');
  });

  it('round-trips any text through a parser, formulas prefixed with an apostrophe', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const parsed = read(toCsv(['a', 'b', 'c'], rows));
        expect(parsed).toEqual([['a', 'b', 'c'], ...rows.map((row) => row.map(expectedText))]);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the characters that matter most, densely', () => {
    const tricky = fc.string({
      unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', '"', 'x', ' '),
      maxLength: 12,
    });
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 2, maxLength: 2 }), (row) => {
        const [, parsed] = read(toCsv(['a', 'b'], [row]));
        expect(parsed).toEqual(row.map(expectedText));
        for (const cell of parsed ?? []) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips decimal numbers exactly, negative ones unprefixed', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.nat({ max: 18 }))
      .map(([negative, digits, scale]) => {
        const text = digits.toString().padStart(scale + 1, '0');
        const value = scale ? `${text.slice(0, -scale)}.${text.slice(-scale)}` : text;
        return negative ? `-${value}` : value;
      });
    fc.assert(
      fc.property(decimal, (value) => {
        const [, [cell] = []] = read(toCsv(['v'], [[csvNumber(value)]]));
        expect(cell).toBe(value);
      }),
    );
  });
});

describe('csvStream', () => {
  it('streams the same bytes as toCsv, from an async source', async () => {
    const rows: CsvCell[][] = [
      ['BTC', 'Main, "old"', csvNumber('-1.25')],
      ['=cmd', null, csvNumber('3')],
    ];
    async function* source() {
      yield* rows;
    }
    const text = await new Response(csvStream(['asset', 'label', 'amount'], source())).text();
    expect(text).toBe(toCsv(['asset', 'label', 'amount'], rows));
  });
});
