/**
 * Matches the ETag of a representation at `version`: `"<version>-<digest>"`,
 * the digest changing with any field (src/platform/http/etag.ts).
 */
export function etagAt(version: number): unknown {
  return expect.stringMatching(new RegExp(`^"${version}-[A-Za-z0-9_-]{16}"$`));
}
