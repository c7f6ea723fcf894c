/**
 * A `Conditions` fragment: `column` contains the bound text, ignoring case, accents and Unicode
 * forms ("cafe", "café" and NFD "cafe\u0301" all match "Café"). Both sides go through PostgreSQL's
 * `search_fold` (NFC + unaccent, migration FoldSearchText); `search_contains` escapes the LIKE
 * wildcards after folding. Bind the raw text (not `contains(q)`) to its one `?`. For names and
 * other human text; codes compare with a plain `ILIKE contains(q)`. Not indexed: for lists whose
 * page is already a scan of one organization's rows.
 */
export const foldedContains = (column: string): string =>
  `search_fold(${column}) ILIKE search_contains(?)`;
