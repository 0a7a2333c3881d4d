/**
 * UTF-8 checks for input bytes. Node's `toString('utf8')` turns invalid bytes into U+FFFD without a word, which would
 * load a damaged record as if it were fine; these helpers let the caller quarantine it instead.
 */

// One decoder is enough: decode() without `stream` starts afresh on every call.
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** The text the bytes encode, or undefined when they are not valid UTF-8. A leading BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The bytes as text with U+FFFD for each invalid sequence: a safe way to show a record that is not UTF-8. */
export function decodeLossy(bytes: Uint8Array): string {
  return lenient.decode(bytes);
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1 when all of them are valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

/**
 * A name that is not valid UTF-8, shown unambiguously: valid characters as themselves, every other byte (and any
 * control character) as `\xNN`, and a backslash doubled, so two different names never show the same.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    if (n === 0 || bytes[i] < 0x20 || bytes[i] === 0x7f) {
      out += `\\x${bytes[i].toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    } else {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset + i, n).toString('utf8');
      out += text === '\\' ? '\\\\' : text;
      i += n;
    }
  }
  return out;
}

/** Hex of up to `limit` bytes from `offset`: names the bytes a decoder refused. */
export function hexAt(bytes: Uint8Array, offset: number, limit = 4): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, Math.min(limit, bytes.length - offset)).toString('hex');
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), or 0. */
function sequenceAt(b: Uint8Array, i: number): number {
  const b0 = b[i];
  if (b0 < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0;
    else if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    else if (b0 === 0xf4) high = 0x8f;
  } else return 0;
  if (i + length > b.length || b[i + 1] < low || b[i + 1] > high) return 0;
  for (let k = 2; k < length; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  return length;
}
