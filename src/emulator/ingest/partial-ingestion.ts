// Partial ingestion (platform-api.md §4.9): a batch with
// `partialIngestionPercent` fails only when more than that share of its rows
// is bad; without it, one bad row fails the batch. The batch errors list a
// summary and per-kind counts with diagnostics on, one generic entry without.
import { ERROR_CODES } from './types.ts';

export interface BatchErrorEntry {
  code: string;
  description: string;
  rows?: string[];
  recordCount?: number;
}

/**
 * The threshold from a batch-create body: `partialIngestionPercent`, or its
 * longer spelling `partialIngestionPercentage`. Undefined when absent; an
 * error message when present but not a number from 0 to 100.
 */
export function partialIngestionPercent(body: Record<string, unknown>): { percent?: number; error?: string } {
  const value = body.partialIngestionPercent ?? body.partialIngestionPercentage;
  if (value === undefined || value === null) return {};
  const percent = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    return { error: 'partialIngestionPercent must be a number from 0 to 100' };
  }
  return { percent };
}

/** Whether `failed` bad rows out of `total` fail the batch. */
export function exceedsThreshold(failed: number, total: number, percent: number | undefined): boolean {
  if (failed === 0) return false;
  if (percent === undefined || total === 0) return true;
  return (failed / total) * 100 > percent;
}

export interface RowErrorCounts {
  readonly corrupt: number;
  readonly requiredMissing: number;
  readonly invalid: number;
  readonly accepted: number;
}

/** The batch `errors` entries describing bad rows. */
export function rowErrorEntries(counts: RowErrorCounts, diagnostics: boolean): BatchErrorEntry[] {
  const failed = counts.corrupt + counts.requiredMissing + counts.invalid;
  if (failed === 0) return [];
  if (!diagnostics) {
    return [
      {
        code: ERROR_CODES.withoutDiagnostics,
        description:
          'Encountered errors while parsing, converting or otherwise validating the data. Please resend the data with error diagnostics enabled to collect additional information on failure types',
      },
    ];
  }
  const entries: BatchErrorEntry[] = [
    {
      code: ERROR_CODES.summary,
      description: `Encountered ${failed} errors in the data. Successfully ingested ${counts.accepted} rows. Please review the associated diagnostic files for more details.`,
    },
  ];
  if (counts.corrupt > 0) {
    entries.push({
      code: ERROR_CODES.corrupt,
      description: 'The row has corrupted data and cannot be read or parsed. Fix the corrupted data and try again.',
      recordCount: counts.corrupt,
    });
  }
  if (counts.requiredMissing > 0) {
    entries.push({
      code: ERROR_CODES.requiredMissing,
      description: 'A required field is either missing or has a value of null. Add the required field to the input row and try again.',
      recordCount: counts.requiredMissing,
    });
  }
  return entries;
}
