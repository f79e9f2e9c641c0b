import { describe, expect, it } from 'vitest';
import { csvField, detectSeparator, formatCsv, parseCsv } from './csv.ts';

const fields = (text: string) => parseCsv(text).records.map((r) => r.fields);

describe('parseCsv', () => {
  it.each([
    ['plain rows, LF', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['CRLF line ends (RFC 4180, Excel)', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['lone CR line ends (old Mac exports)', 'a,b\r1,2', [['a', 'b'], ['1', '2']]],
    ['no line end after the last row', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['a UTF-8 byte-order mark is not part of the first name', '\ufeffmac,ip\n1,2\n', [['mac', 'ip'], ['1', '2']]],
    ['quoted separators, quotes and line breaks are data', 'a,b\n"x,y","say ""hi""\nthere"\n', [['a', 'b'], ['x,y', 'say "hi"\nthere']]],
    ['an empty quoted field', 'a,b\n"",2\n', [['a', 'b'], ['', '2']]],
    ['empty fields and a blank row are kept (the reader skips blank rows)', 'a,b\n,\n\n1,2\n', [['a', 'b'], ['', ''], [''], ['1', '2']]],
    ['semicolons from a spreadsheet in a decimal-comma locale', 'mac;notes\n52:54:00:00:00:01;"1,5 U"\n', [['mac', 'notes'], ['52:54:00:00:00:01', '1,5 U']]],
    ['tabs', 'mac\tip\nx\ty\n', [['mac', 'ip'], ['x', 'y']]],
  ])('%s', (_name, text, expected) => {
    const t = parseCsv(text);
    expect(t.errors).toEqual([]);
    expect(t.records.map((r) => r.fields)).toEqual(expected);
  });

  it('counts spreadsheet rows, not lines: a quoted line break stays in its row', () => {
    expect(parseCsv('a,b\n"1\n2",x\n3,y\n').records.map((r) => r.row)).toEqual([1, 2, 3]);
  });

  it.each([
    ['an empty file', '', [{ row: 1, field: null, code: 'CSV_EMPTY' }]],
    ['only a byte-order mark and blank lines', '\ufeff\r\n\r\n', [{ row: 1, field: null, code: 'CSV_EMPTY' }]],
    ['a quote that is never closed', 'a,b\n1,"2\n3,4\n', [{ row: 2, field: 2, code: 'CSV_UNTERMINATED_QUOTE' }]],
    ['a quote inside an unquoted field', 'a,b\n1,2"3\n', [{ row: 2, field: 2, code: 'CSV_QUOTE_IN_FIELD' }]],
    ['text after a closing quote', 'a,b\n"1"x,2\n', [{ row: 2, field: 1, code: 'CSV_TEXT_AFTER_QUOTE' }]],
  ])('reports %s', (_name, text, expected) => {
    expect(parseCsv(text).errors.map(({ row, field, code }) => ({ row, field, code }))).toEqual(expected);
  });

  it('keeps the columns in step after a bad field and finds later errors too', () => {
    const t = parseCsv('a,b,c\n"1"x,2,3\n4,5"6,7\n');
    expect(t.records.map((r) => r.fields)).toEqual([['a', 'b', 'c'], ['1', '2', '3'], ['4', '5', '7']]);
    expect(t.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [2, 1, 'CSV_TEXT_AFTER_QUOTE'],
      [3, 2, 'CSV_QUOTE_IN_FIELD'],
    ]);
  });

  it('refuses a file far larger than any plan', () => {
    expect(parseCsv('a\n' + 'x'.repeat(5 * 1024 * 1024)).errors[0]?.code).toBe('CSV_TOO_LARGE');
  });
});

describe('detectSeparator', () => {
  it.each([
    ['mac,hostname,ip', ','],
    ['mac;hostname;ip', ';'],
    ['mac\thostname', '\t'],
    ['mac', ','],
    // A comma inside a quoted header name does not count.
    ['"mac, primary";hostname;ip', ';'],
    // Only the header decides: commas in later rows (notes) do not.
    ['mac;notes\nx;"a,b,c,d"', ';'],
  ])('%j -> %j', (text, sep) => expect(detectSeparator(text)).toBe(sep));
});

describe('formatCsv', () => {
  it('quotes only what needs it and reads back the same', () => {
    const rows = [
      ['mac', 'notes'],
      ['52:54:00:00:00:01', 'rack 4, "top"\nsecond line'],
      ['52:54:00:00:00:02', ' padded '],
      ['52:54:00:00:00:03', ''],
    ];
    const text = formatCsv(rows);
    expect(text).toBe('mac,notes\r\n52:54:00:00:00:01,"rack 4, ""top""\nsecond line"\r\n52:54:00:00:00:02," padded "\r\n52:54:00:00:00:03,\r\n');
    expect(fields(text)).toEqual(rows);
    expect(fields(formatCsv(rows, ';'))).toEqual(rows);
  });

  it('quotes the separator it writes with', () => {
    expect(csvField('a;b', ';')).toBe('"a;b"');
    expect(csvField('a;b', ',')).toBe('a;b');
  });
});
