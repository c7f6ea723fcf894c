import JSZip from 'jszip';
import {
  extractable,
  extractText,
  MAX_DOCX_EXPANDED_BYTES,
  MAX_EXTRACTED_CHARS,
} from './document-text';

/** A minimal DOCX whose body is one paragraph of `text`. */
async function docxWithText(text: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('document text extraction', () => {
  it('reads DOCX and plain text; other types (PDF too, for now) have none', async () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(await extractText(docx, await docxWithText('Okapi minutes'))).toBe('Okapi minutes');
    expect(await extractText('text/plain', Buffer.from('line one\nline\u0000two'))).toBe(
      'line one line two',
    );
    expect(await extractText('image/png', Buffer.from('x'))).toBeNull();
    expect(await extractText('application/pdf', Buffer.from('%PDF-1.4'))).toBeNull();
    expect(extractable('image/png')).toBe(false);
    expect(extractable(docx)).toBe(true);
  });

  it('keeps at most MAX_EXTRACTED_CHARS characters and refuses broken files', async () => {
    const long = await extractText('text/plain', Buffer.from('a'.repeat(MAX_EXTRACTED_CHARS + 10)));
    expect(long).toHaveLength(MAX_EXTRACTED_CHARS);
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    await expect(extractText(docx, Buffer.from('PK not a zip'))).rejects.toThrow();
  });

  it('refuses a DOCX that inflates beyond MAX_DOCX_EXPANDED_BYTES before parsing it (a zip bomb)', async () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    // Tens of megabytes of XML in a file of a few hundred kilobytes: mammoth would spend tens of
    // seconds of the worker's event loop on it (and a 10 MB file of it would take hours).
    const bomb = await docxWithText('a'.repeat(MAX_DOCX_EXPANDED_BYTES + 1024));
    expect(bomb.length).toBeLessThan(MAX_DOCX_EXPANDED_BYTES / 50);
    const started = Date.now();
    await expect(extractText(docx, bomb)).rejects.toThrow(/expands/);
    expect(Date.now() - started).toBeLessThan(3000);
  }, 30_000);
});
