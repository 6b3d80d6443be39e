// Nothing lost on uploads: when a file does not arrive whole at the Platform,
// the client learns which file and which bytes, with one stable code
// (UPLOAD_INCOMPLETE), and the batch is left open so that the file can be sent
// again. What the Platform holds comes from HEAD on the file path (its Range),
// never from what the gateway believes it sent.
import type { ReceivedRanges, ScopedPlatform, UploadResult } from '../platform/client.ts';
import { PlatformError } from '../platform/errors.ts';
import { codeForPlatformError, GatewayError } from './errors.ts';
import type { GatewayErrorCode } from './errors.ts';

/** One file that did not arrive whole. */
export interface MissingFile {
  readonly fileName: string;
  /** Bytes the gateway read from the client for this file. */
  readonly bytesSent: number;
  /** Bytes the Platform reports holding (HEAD Range); null when it could not be asked. */
  readonly bytesReceivedUpstream: number | null;
  /** The code of what went wrong (the upstream's, or UPLOAD_INCOMPLETE for a cut client stream). */
  readonly causeCode: GatewayErrorCode;
  readonly reason: string;
}

/** Refusals the client must fix (bad name, too large, unknown batch): kept as they are, not reported as lost bytes. */
const REFUSALS: ReadonlySet<GatewayErrorCode> = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED']);

/** Whether an upload failure is a refusal of the request rather than bytes lost on the way. */
export function isUploadRefusal(error: unknown): boolean {
  if (error instanceof GatewayError) return REFUSALS.has(error.gatewayCode);
  if (error instanceof PlatformError) return REFUSALS.has(codeForPlatformError(error));
  return false;
}

function causeOf(error: unknown): { code: GatewayErrorCode; reason: string } {
  if (error instanceof GatewayError) return { code: error.gatewayCode, reason: error.message };
  if (error instanceof PlatformError) return { code: codeForPlatformError(error), reason: `the Platform failed (${error.status ?? error.kind})` };
  // The client's stream broke off, or it delivered another size than announced.
  return { code: 'UPLOAD_INCOMPLETE', reason: error instanceof Error ? error.message : 'the file stream failed' };
}

/** How many bytes of a file the Platform holds; null when the HEAD itself fails. */
export async function bytesHeldUpstream(platform: ScopedPlatform, batchId: string, datasetId: string, fileName: string): Promise<number | null> {
  try {
    const received = await platform.ingestion.receivedRanges(batchId, datasetId, fileName);
    return received?.contiguousBytes ?? 0;
  } catch {
    return null;
  }
}

export async function missingFile(platform: ScopedPlatform, batchId: string, datasetId: string, fileName: string, bytesSent: number, error: unknown): Promise<MissingFile> {
  const cause = causeOf(error);
  return { fileName, bytesSent, bytesReceivedUpstream: await bytesHeldUpstream(platform, batchId, datasetId, fileName), causeCode: cause.code, reason: cause.reason };
}

/** A file refused before or while it was written (bad name, too large): the Platform keeps none of it. */
export function refusedFile(fileName: string, error: unknown): MissingFile {
  const cause = causeOf(error);
  return { fileName, bytesSent: 0, bytesReceivedUpstream: 0, causeCode: cause.code, reason: cause.reason };
}

/** The error for one or more missing files; its top-level figures are those of the first. */
export function uploadIncomplete(batchId: string, missing: readonly [MissingFile, ...MissingFile[]], listAll: boolean): GatewayError {
  const first = missing[0];
  const held = first.bytesReceivedUpstream === null ? 'an unknown number of' : String(first.bytesReceivedUpstream);
  const others = missing.length > 1 ? ` (and ${missing.length - 1} more file${missing.length > 2 ? 's' : ''})` : '';
  return new GatewayError(
    'UPLOAD_INCOMPLETE',
    `The file ${JSON.stringify(first.fileName)}${others} did not arrive whole: the gateway read ${first.bytesSent} bytes of it, the Platform holds ${held} bytes (${first.reason}). ` +
      `Batch ${batchId} stays open: upload the file again, then complete the batch.`,
    {
      details: {
        fileName: first.fileName,
        bytesSent: first.bytesSent,
        bytesReceivedUpstream: first.bytesReceivedUpstream,
        batchId,
        causeCode: first.causeCode,
        ...(listAll ? { missingFiles: missing.map(({ fileName, bytesSent, bytesReceivedUpstream, causeCode }) => ({ fileName, bytesSent, bytesReceivedUpstream, causeCode })) } : {}),
      },
    },
  );
}

/**
 * After the uploads and before COMPLETE: the Platform must hold every file
 * whole, exactly the bytes sent (HEAD on each file path). A file it holds
 * fewer or more bytes of is missing.
 */
export async function verifyArrived(platform: ScopedPlatform, batchId: string, datasetId: string, sent: readonly UploadResult[]): Promise<MissingFile[]> {
  const missing: MissingFile[] = [];
  for (const result of sent) {
    let received: ReceivedRanges | null;
    try {
      received = await platform.ingestion.receivedRanges(batchId, datasetId, result.fileName);
    } catch (error) {
      missing.push(await missingFile(platform, batchId, datasetId, result.fileName, result.bytes, error));
      continue;
    }
    // Whole: exactly the bytes sent, from offset 0 without a gap.
    const held = received?.bytes ?? 0;
    if (held !== result.bytes || (received?.contiguousBytes ?? 0) !== result.bytes) {
      missing.push({ fileName: result.fileName, bytesSent: result.bytes, bytesReceivedUpstream: held, causeCode: 'UPLOAD_INCOMPLETE', reason: `the Platform holds ${held} of the ${result.bytes} bytes sent` });
    }
  }
  return missing;
}
