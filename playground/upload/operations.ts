// The upload page's GraphQL operations and the shapes of their results.

export const DATASETS_QUERY = `query UploadPageDatasets {
  datasets(first: 100) {
    nodes {
      id
      name
    }
    pageInfo {
      hasNextPage
    }
  }
}`;

export interface DatasetsResult {
  readonly datasets: {
    readonly nodes: ReadonlyArray<{ readonly id: string; readonly name: string }>;
    readonly pageInfo: { readonly hasNextPage: boolean };
  };
}

export const INGEST_FILES_MUTATION = `mutation UploadPageIngestFiles($input: IngestFilesInput!) {
  ingestFiles(input: $input) {
    batch {
      id
      status
    }
    files {
      fileName
      bytes
      protocol
    }
  }
}`;

export type InputFormat = 'PARQUET' | 'JSON' | 'CSV';

export interface IngestFilesResult {
  readonly ingestFiles: {
    readonly batch: { readonly id: string; readonly status: string };
    readonly files: readonly UploadedFile[];
  };
}

export const UPLOAD_BATCH_FILE_MUTATION = `mutation UploadPageUploadBatchFile($input: UploadBatchFileInput!) {
  uploadBatchFile(input: $input) {
    batch {
      id
      status
    }
    file {
      fileName
      bytes
      protocol
    }
  }
}`;

export interface UploadedFile {
  readonly fileName: string;
  readonly bytes: number;
  readonly protocol: string;
}

export interface UploadBatchFileResult {
  readonly uploadBatchFile: { readonly batch: { readonly id: string; readonly status: string }; readonly file: UploadedFile };
}

export const COMPLETE_BATCH_MUTATION = `mutation UploadPageCompleteBatch($input: CompleteBatchInput!) {
  completeBatch(input: $input) {
    batch {
      id
      status
    }
  }
}`;

export interface CompleteBatchResult {
  readonly completeBatch: { readonly batch: { readonly id: string; readonly status: string } };
}

export const BATCH_STATUS_SUBSCRIPTION = `subscription UploadPageBatchStatus($id: ID!) {
  batchStatus(id: $id) {
    previousStatus
    batch {
      id
      status
      rawStatus
      terminal
      metrics {
        recordsRead
        recordsWritten
        failedRecordCount
      }
      errors {
        code
        description
      }
    }
  }
}`;

export interface BatchStatusEvent {
  readonly previousStatus: string | null;
  readonly batch: {
    readonly id: string;
    readonly status: string;
    readonly rawStatus: string;
    readonly terminal: boolean;
    readonly metrics: {
      readonly recordsRead: number | null;
      readonly recordsWritten: number | null;
      readonly failedRecordCount: number | null;
    } | null;
    readonly errors: ReadonlyArray<{ readonly code: string | null; readonly description: string | null }>;
  };
}
