/** The ids of a list response's items (`{ items, nextCursor }`), in order. */
export function idsOf(body: { items: { id: string }[] }): string[] {
  return body.items.map((item) => item.id);
}
