/** A content type we accept, recognised from the file's first bytes (never from its name). */
export interface SniffedType {
  contentType: string;
  extension: string;
}

const startsWith = (bytes: Buffer, signature: number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

/** Office Open XML (docx/xlsx/pptx) and OpenDocument files are zip containers. */
const ZIP_CONTAINERS: Record<string, string> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/zip': 'zip',
};

/** Bytes needed to recognise every accepted type. */
export const SNIFF_BYTES = 4_100;

/**
 * UTF-8 text (CSV, TXT): valid UTF-8 where control bytes other than tab, line breaks and form
 * feed are rare — at most 10 % of the sample (UTF-16 text, half NUL bytes, is refused). Binary formats are full of them (and rarely valid
 * UTF-8); a CSV with a stray NUL in a cell is still a CSV, whose importer refuses that cell row
 * by row (line and column) instead of the whole file being refused here.
 */
function isText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let controls = 0;
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)
      controls += 1;
  }
  if (controls > bytes.length / 10) return false;
  // A multi-byte character may be cut at the end of the sample: decode all but the last 3 bytes.
  const sample = bytes.length > 3 ? bytes.subarray(0, bytes.length - 3) : bytes;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the first bytes say the file is, if it is one of the accepted types; `undefined` for
 * anything else (executables, scripts, archives we do not take, ...).
 */
export function sniff(bytes: Buffer): SniffedType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { contentType: 'image/png', extension: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', extension: 'jpg' };
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]))
    return { contentType: 'image/gif', extension: 'gif' };
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return { contentType: 'image/webp', extension: 'webp' };
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d]))
    return { contentType: 'application/pdf', extension: 'pdf' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]))
    return { contentType: 'application/zip', extension: 'zip' };
  if (isText(bytes)) return { contentType: 'text/plain', extension: 'txt' };
  return undefined;
}

/**
 * The type to store, when the content agrees with what the client declared: the declared type
 * must be the sniffed one or a refinement of it (docx is a zip, csv is text); `octet-stream`
 * takes the sniffed type. `undefined` means refuse (415).
 */
export function acceptedType(
  declared: string,
  sniffed: SniffedType | undefined,
): SniffedType | undefined {
  if (!sniffed) return undefined;
  const type = declared.split(';')[0].trim().toLowerCase();
  if (type === '' || type === 'application/octet-stream' || type === sniffed.contentType)
    return sniffed;
  if (sniffed.contentType === 'application/zip' && ZIP_CONTAINERS[type])
    return { contentType: type, extension: ZIP_CONTAINERS[type] };
  if (
    sniffed.contentType === 'text/plain' &&
    (type === 'text/csv' || type === 'text/tab-separated-values')
  )
    return { contentType: type, extension: type === 'text/csv' ? 'csv' : 'tsv' };
  return undefined;
}
