// The app's operations. `graphql(...)` is the client preset's typed document
// function (src/gql, generated from the gateway's schema.graphql), so each
// result and each variables object is typed without a hand-written interface.
import { graphql } from './gql/index.ts';

export const DatasetsQuery = graphql(`
  query ExampleDatasets($first: Int!) {
    datasets(first: $first) {
      nodes {
        id
        name
        schema {
          title
        }
        lastBatch {
          id
          status
        }
      }
    }
  }
`);

export const IngestFileMutation = graphql(`
  mutation ExampleIngestFile($datasetId: ID!, $files: [Upload!]!, $sizes: [Float!], $format: InputFormat!) {
    ingestFiles(input: { datasetId: $datasetId, files: $files, sizes: $sizes, format: $format }) {
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
  }
`);

export const BatchStatusSubscription = graphql(`
  subscription ExampleBatchStatus($id: ID!) {
    batchStatus(id: $id) {
      sequence
      initial
      terminal
      observedAt
      batch {
        id
        status
        rawStatus
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
  }
`);
