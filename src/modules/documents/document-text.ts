import { inflateRawSync } from 'node:zlib';

/** At most this many characters of a version's text are indexed (the rest is not searched). */
export const MAX_EXTRACTED_CHARS = 100_000;
/** Files larger than this are not parsed for text (bytes): parsing is memory-bound. */
export const MAX_EXTRACT_BYTES = 10 * 1024 * 1024;

/**
 * The most a DOCX's entries may inflate to, together (bytes), before it is handed to `mammoth`:
 * the parse is synchronous and takes about a second per 1.3 MB of XML, so a small zip bomb would
 * hold the worker's event loop for hours. A long real document's XML is a few megabytes.
 */
export const MAX_DOCX_EXPANDED_BYTES = 16 * 1024 * 1024;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Whether {@link extractText} reads files of `contentType` (DOCX, plain text, CSV). PDF is not
 * read yet: pdf.js (also inside `pdf-parse`) loads its worker with a dynamic `import()`, which the
 * CommonJS test runtime refuses, so it could not be tested here.
 */
export const extractable = (contentType: string): boolean =>
  contentType === DOCX || contentType === 'text/plain' || contentType === 'text/csv';

/**
 * The searchable text of a file's bytes by its (sniffed) content type: DOCX through `mammoth`,
 * plain text and CSV as UTF-8; null for any other type (PDF included, see {@link extractable}). Control
 * characters become spaces, runs of white space one space, and at most
 * {@link MAX_EXTRACTED_CHARS} characters are kept. Throws when a parser refuses the bytes.
 */
export async function extractText(contentType: string, bytes: Buffer): Promise<string | null> {
  let text: string;
  if (contentType === DOCX) {
    assertInflatesWithin(bytes, MAX_DOCX_EXPANDED_BYTES);
    // Required on the first DOCX, not with the app (mammoth is ~40 modules few processes use).
    const { default: mammoth } = await import('mammoth');
    text = (await mammoth.extractRawText({ buffer: bytes })).value;
  } else if (contentType === 'text/plain' || contentType === 'text/csv') {
    text = bytes.toString('utf8');
  } else {
    return null;
  }
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, MAX_EXTRACTED_CHARS)
  );
}

/**
 * Throws unless every entry of the ZIP `bytes` (as its central directory lists them, which is
 * what the parser reads) inflates to at most `limit` bytes in all. Each entry is really inflated
 * with `maxOutputLength` set to what is left of the budget, so sizes the directory lies about do
 * not help; the cost is bounded by `limit`. A ZIP it cannot walk is refused the same way.
 */
function assertInflatesWithin(bytes: Buffer, limit: number): void {
  const refuse = (why: string): never => {
    throw new Error(`DOCX refused: ${why}`);
  };
  // End of central directory: the last PK\x05\x06 within the final 64 KiB + 22 bytes.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 65_557); at--) {
    if (bytes.readUInt32LE(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) refuse('not a ZIP file');
  const entries = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  let left = limit;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== 0x02014b50) refuse('bad directory');
    const method = bytes.readUInt16LE(at + 10);
    const compressed = bytes.readUInt32LE(at + 20);
    const local = bytes.readUInt32LE(at + 42);
    at +=
      46 + bytes.readUInt16LE(at + 28) + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) refuse('bad entry');
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + compressed);
    let size: number;
    if (method === 0) size = data.length;
    else if (method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: Math.max(1, left) }).length;
      } catch {
        return refuse(`expands beyond ${limit} bytes, or an entry is corrupt`);
      }
    } else return refuse(`compression method ${method}`);
    left -= size;
    if (left < 0) refuse(`expands beyond ${limit} bytes`);
  }
}
