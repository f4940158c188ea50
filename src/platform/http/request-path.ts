/** The path of a request target, without its query string: what problems and logs may name. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const NOT_IN_A_URI_PATH = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu;

/**
 * The path of a request target as a problem's `instance`, which the document
 * promises is a URI reference (RFC 3986): what the client sent, with what a
 * URI path cannot hold percent-encoded (a `%` that starts no escape, a space,
 * a character outside ASCII), so a malformed path is still named.
 */
export function problemInstanceOf(url: string): string {
  return pathOf(url).replace(NOT_IN_A_URI_PATH, (character) =>
    character === '%' ? '%25' : encodeURIComponent(character),
  );
}
