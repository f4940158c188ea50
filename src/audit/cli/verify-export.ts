/**
 * Offline verifier of an audit export, without the app or the database:
 *
 *   npm run audit:verify -- <export.ndjson> --public-key <public-key.pem | public-key.json>
 *
 * The export is `GET /v1/audit-events/export?format=ndjson`: one event per
 * line in seq order, each signed checkpoint on its own line
 * (`{"checkpoint": {...}}`) after the event it covers. The public key is the
 * PEM (or the whole JSON answer) of `GET /v1/audit/public-key`, obtained and
 * kept apart from the export. Prints the verdict as JSON; exits 0 when
 * valid, 1 when not, 2 on bad usage.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type AuditRecord, ChainVerifier, type ChainVerification, type SignedCheckpoint } from '../audit-chain';
import { AuditPublicKey } from '../audit-signing-key';

export async function verifyExport(exportFile: string, publicKey: AuditPublicKey): Promise<ChainVerification> {
  const verifier = new ChainVerifier((checkpoint) => publicKey.verifies(checkpoint));
  const lines = createInterface({ input: createReadStream(exportFile, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      verifier.reportFault(verifier.nextSeq ?? 0, `line ${lineNumber} is not JSON`);
      break;
    }
    if (isCheckpointLine(parsed)) verifier.addCheckpoint(parsed.checkpoint);
    else verifier.addRecord(parsed as AuditRecord);
    if (verifier.failed) break;
  }
  lines.close();
  return verifier.result();
}

function isCheckpointLine(value: unknown): value is { checkpoint: SignedCheckpoint } {
  return typeof value === 'object' && value !== null && 'checkpoint' in value;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run audit:verify -- <export.ndjson> --public-key <file>\n`);
  process.exit(2);
}

async function main(args: string[]): Promise<void> {
  const keyFlag = args.indexOf('--public-key');
  const keyFile = keyFlag >= 0 ? args[keyFlag + 1] : undefined;
  const exportFile = args.find((arg, index) => !arg.startsWith('--') && index !== keyFlag + 1);
  if (!exportFile || !keyFile) usage('An export file and --public-key are required.');
  let publicKey: AuditPublicKey;
  try {
    publicKey = AuditPublicKey.parse(readFileSync(keyFile, 'utf8'));
  } catch (error) {
    usage(`Cannot read an Ed25519 public key from ${keyFile}: ${(error as Error).message}`);
  }
  const result = await verifyExport(exportFile, publicKey);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (result.valid && result.lastCheckpointSeq !== result.headSeq) {
    process.stderr.write(
      `Note: events after seq ${result.lastCheckpointSeq ?? 0} are chained but no signed checkpoint in this export covers them.\n`,
    );
  }
  process.exit(result.valid ? 0 : 1);
}

if (require.main === module) void main(process.argv.slice(2));
