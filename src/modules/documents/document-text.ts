import mammoth from 'mammoth';

/** At most this many characters of a version's text are indexed (the rest is not searched). */
export const MAX_EXTRACTED_CHARS = 100_000;
/** Files larger than this are not parsed for text (bytes): parsing is memory-bound. */
export const MAX_EXTRACT_BYTES = 10 * 1024 * 1024;

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
