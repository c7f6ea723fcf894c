import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { cacheDtoMetadata } from '../../core/http/dto-metadata-cache';
import { CreateContactDto } from '../contacts';
import { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import { productDtoIssues, productRowInput } from './products.importer';

/** Product CSV rows (cells as read from a file): good ones and every kind of bad one. */
const ROWS: Record<string, string>[] = [
  {
    sku: 'TEA-1',
    name: 'Earl Grey',
    type: 'goods',
    price: '1.5',
    currencyCode: 'EUR',
    tags: 'a|b',
  },
  { sku: 'SRV-1', name: 'Support', type: 'service', description: 'line 1\nline 2', uomCode: 'h' },
  {},
  { sku: ' ', name: ' ', type: ' ' },
  // NUL bytes and other control characters
  { sku: 'A\u0000B', name: 'x\u0000', type: 'goods', description: 'a\u0000b', tags: 'x\u0000y' },
  { sku: 'TEA-2', name: 'Tab\tname', type: 'goods\u0007', uomCode: 'p\u001bc', tags: '\u0085' },
  // huge values
  {
    sku: 'A'.repeat(65),
    name: 'x'.repeat(100_000),
    type: 'goods',
    description: 'y'.repeat(10_001),
  },
  { sku: 'TEA-3', name: 'Big', type: 'goods', price: '9'.repeat(16), currencyCode: 'EUR' },
  {
    sku: 'TEA-4',
    name: 'Tags',
    type: 'goods',
    tags: Array.from({ length: 51 }, (_, i) => `t${i}`).join('|'),
  },
  { sku: 'TEA-5', name: 'Long tag', type: 'goods', tags: `${'t'.repeat(51)}|ok` },
  { sku: 'TEA-6', name: 'Long uom', type: 'goods', uomCode: 'u'.repeat(17) },
  // wrong types and formats
  {
    sku: 'TEA-7',
    name: 'Gadget',
    type: 'gadget',
    status: 'sold',
    price: 'abc',
    currencyCode: 'eur',
  },
  { sku: 'TEA-8', name: 'Negative', type: 'goods', price: '-1', currencyCode: 'EURO' },
  { sku: 'TEA-9', name: 'Decimals', type: 'goods', price: '1.23456', currencyCode: 'EUR' },
  { sku: 'TEA-10', name: 'Category', type: 'goods', categoryId: 'not-a-uuid' },
  { sku: 'TEA-11', name: 'Price only', type: 'goods', price: '2' },
  { sku: 'TEA 12', name: 'Space in sku', type: 'goods', uomCode: '\u200b' },
  { sku: '-lead', name: 'Leading dash', type: 'goods', tags: '||' },
  // look-alike Unicode
  { sku: 'ТЕА-1', name: 'Cyrillic sku', type: 'goods' },
  { sku: 'ＴＥＡ-1', name: 'Full-width sku', type: 'goods' },
  { sku: 'TEA-13', name: 'Cafe\u0301  \u200b Noir', type: 'goods', tags: 'Tea|ｔｅａ|te\u200ba' },
  { sku: 'TEA-14', name: '\u200b\u200b', type: 'goods' },
  { sku: 'TEA-15', name: 'Comma tags', type: 'goods', tags: 'a，b|c｜d|e,f' },
  { sku: 'TEA-16', name: 'RTL \u202eevil', type: 'ｇoods', tags: '\u202e|ﬁ' },
  { sku: 'TE\u0301A', name: 'Combining', type: 'goods', currencyCode: 'ＥＵＲ', price: '١٢' },
];

/** API-shaped bodies (what `POST /products` may receive): wrong JSON types included. */
const BODIES: Record<string, unknown>[] = [
  { sku: 12, name: ['a'], type: 'goods', tags: 'not-an-array', price: 1.5, currencyCode: 'EUR' },
  { sku: null, name: null, type: null, price: null, currencyCode: null, categoryId: null },
  { sku: 'OK-1', name: 'Object', type: 'goods', description: {}, tags: [1, null, {}], extra: 1 },
  { sku: 'OK-2', name: 'Fine', type: 'goods', customFields: { color: 'red' } },
  { sku: 'OK-3', name: 'Bad custom', type: 'goods', customFields: 'red', uomCode: 42 },
  { sku: true, name: { toString: 'x' }, type: ['goods'], categoryId: 7, tags: [['a']] },
];

const CONTACTS: Record<string, unknown>[] = [
  { kind: 'person', displayName: 'Ada', emails: [{ email: 'ada@example.com' }] },
  {
    kind: 'robot',
    displayName: ' ',
    emails: [{ email: 'not-an-email' }],
    phones: [{ number: '' }],
  },
  { kind: 'company', displayName: 'x'.repeat(201), tags: ['a\u0000'], emails: 'x' },
];

const errorsOf = (errors: ValidationError[]): unknown =>
  errors.map((e) => ({
    property: e.property,
    value: e.value as unknown,
    constraints: e.constraints,
    children: errorsOf(e.children ?? []),
  }));

/** Every validation result the import and the API produce for the tables above. */
function results() {
  const validate = (type: new () => object, body: Record<string, unknown>) =>
    errorsOf(
      validateSync(plainToInstance(type, body), { whitelist: true, forbidUnknownValues: false }),
    );
  return {
    rows: ROWS.map((values) => productDtoIssues(productRowInput(values))),
    bodies: BODIES.map((body) => productDtoIssues(body)),
    updates: [...ROWS.map(productRowInput), ...BODIES].map((b) => validate(UpdateProductDto, b)),
    strict: BODIES.map((body) =>
      errorsOf(
        validateSync(plainToInstance(CreateProductDto, body), {
          whitelist: true,
          forbidNonWhitelisted: true,
        }),
      ),
    ),
    contacts: CONTACTS.map((body) => validate(CreateContactDto, body)),
  };
}

describe('product import row validation with class-validator and class-transformer metadata cached', () => {
  it('gives exactly the same issues (column, message, rule) as without the cache', () => {
    const before = results();
    const restore = cacheDtoMetadata();
    try {
      expect(results()).toEqual(before); // fills the cache
      expect(results()).toEqual(before); // reads it
    } finally {
      restore();
    }
  });

  it('the table covers good rows and each kind of bad one', () => {
    const issues = ROWS.map((values) => productDtoIssues(productRowInput(values)));
    expect(issues[0]).toEqual([]);
    expect(issues[1]).toEqual([]);
    // Valid for the DTO: the two good rows and the look-alike name and tags (normalised to
    // "Café Noir"; the tags are one tag by folded key); every other row breaks a DTO rule.
    expect(issues.flatMap((list, index) => (list.length ? [] : [index]))).toEqual([0, 1, 20]);
    expect(issues[4]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ column: 'sku', rules: ['matches'] }),
        expect.objectContaining({ column: 'tags', rules: ['matches'] }),
      ]),
    );
    expect(issues[6].map((i) => i.column)).toEqual(['sku', 'name', 'description']);
  });
});
