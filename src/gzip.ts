/**
 * gzip is recognised by its magic bytes (RFC 1952: 1f 8b), never by a file name: a renamed or
 * piped file still reads. No imports: the CLI checks a log file with this before anything loads.
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
