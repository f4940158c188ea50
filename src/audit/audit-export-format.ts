import type { AuditRecord, SignedCheckpoint } from './audit-chain';

/** One NDJSON line per event, and one per checkpoint right after the event it covers. */
export function ndjsonLine(entry: AuditRecord | SignedCheckpoint): string {
  return `${JSON.stringify('signature' in entry ? { checkpoint: entry } : entry)}\n`;
}

const CSV_COLUMNS: [string, (record: AuditRecord) => unknown][] = [
  ['seq', (r) => r.seq],
  ['id', (r) => r.id],
  ['occurredAt', (r) => r.occurredAt],
  ['actorType', (r) => r.actor.type],
  ['actorId', (r) => r.actor.id],
  ['actorOrganizationId', (r) => r.actor.organizationId],
  ['actorApiKeyId', (r) => r.actor.apiKeyId],
  ['action', (r) => r.action],
  ['resourceType', (r) => r.resource.type],
  ['resourceId', (r) => r.resource.id],
  ['outcome', (r) => r.outcome],
  ['requestId', (r) => r.requestId],
  ['ip', (r) => r.ip],
  ['userAgent', (r) => r.userAgent],
  ['changes', (r) => (r.changes === null ? null : JSON.stringify(r.changes))],
  ['details', (r) => (r.details === null ? null : JSON.stringify(r.details))],
  ['prevHash', (r) => r.prevHash],
  ['hash', (r) => r.hash],
];

export const CSV_COLUMN_NAMES = CSV_COLUMNS.map(([name]) => name);

export const CSV_HEADER = `${CSV_COLUMN_NAMES.join(',')}\r\n`;

/** RFC 4180 row. A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`...) is prefixed with `'`. */
export function csvRow(record: AuditRecord): string {
  return `${CSV_COLUMNS.map(([, value]) => csvCell(value(record))).join(',')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
