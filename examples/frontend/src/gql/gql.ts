/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ExampleDatasets($first: Int!) {\n    datasets(first: $first) {\n      nodes {\n        id\n        name\n        schema {\n          title\n        }\n        lastBatch {\n          id\n          status\n        }\n      }\n    }\n  }\n": typeof types.ExampleDatasetsDocument,
    "\n  mutation ExampleIngestFile($datasetId: ID!, $files: [Upload!]!, $sizes: [Float!], $format: InputFormat!) {\n    ingestFiles(input: { datasetId: $datasetId, files: $files, sizes: $sizes, format: $format }) {\n      batch {\n        id\n        status\n      }\n      files {\n        fileName\n        bytes\n        protocol\n      }\n    }\n  }\n": typeof types.ExampleIngestFileDocument,
    "\n  subscription ExampleBatchStatus($id: ID!) {\n    batchStatus(id: $id) {\n      sequence\n      initial\n      terminal\n      observedAt\n      batch {\n        id\n        status\n        rawStatus\n        metrics {\n          recordsRead\n          recordsWritten\n          failedRecordCount\n        }\n        errors {\n          code\n          description\n        }\n      }\n    }\n  }\n": typeof types.ExampleBatchStatusDocument,
};
const documents: Documents = {
    "\n  query ExampleDatasets($first: Int!) {\n    datasets(first: $first) {\n      nodes {\n        id\n        name\n        schema {\n          title\n        }\n        lastBatch {\n          id\n          status\n        }\n      }\n    }\n  }\n": types.ExampleDatasetsDocument,
    "\n  mutation ExampleIngestFile($datasetId: ID!, $files: [Upload!]!, $sizes: [Float!], $format: InputFormat!) {\n    ingestFiles(input: { datasetId: $datasetId, files: $files, sizes: $sizes, format: $format }) {\n      batch {\n        id\n        status\n      }\n      files {\n        fileName\n        bytes\n        protocol\n      }\n    }\n  }\n": types.ExampleIngestFileDocument,
    "\n  subscription ExampleBatchStatus($id: ID!) {\n    batchStatus(id: $id) {\n      sequence\n      initial\n      terminal\n      observedAt\n      batch {\n        id\n        status\n        rawStatus\n        metrics {\n          recordsRead\n          recordsWritten\n          failedRecordCount\n        }\n        errors {\n          code\n          description\n        }\n      }\n    }\n  }\n": types.ExampleBatchStatusDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExampleDatasets($first: Int!) {\n    datasets(first: $first) {\n      nodes {\n        id\n        name\n        schema {\n          title\n        }\n        lastBatch {\n          id\n          status\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExampleDatasets($first: Int!) {\n    datasets(first: $first) {\n      nodes {\n        id\n        name\n        schema {\n          title\n        }\n        lastBatch {\n          id\n          status\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExampleIngestFile($datasetId: ID!, $files: [Upload!]!, $sizes: [Float!], $format: InputFormat!) {\n    ingestFiles(input: { datasetId: $datasetId, files: $files, sizes: $sizes, format: $format }) {\n      batch {\n        id\n        status\n      }\n      files {\n        fileName\n        bytes\n        protocol\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ExampleIngestFile($datasetId: ID!, $files: [Upload!]!, $sizes: [Float!], $format: InputFormat!) {\n    ingestFiles(input: { datasetId: $datasetId, files: $files, sizes: $sizes, format: $format }) {\n      batch {\n        id\n        status\n      }\n      files {\n        fileName\n        bytes\n        protocol\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ExampleBatchStatus($id: ID!) {\n    batchStatus(id: $id) {\n      sequence\n      initial\n      terminal\n      observedAt\n      batch {\n        id\n        status\n        rawStatus\n        metrics {\n          recordsRead\n          recordsWritten\n          failedRecordCount\n        }\n        errors {\n          code\n          description\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ExampleBatchStatus($id: ID!) {\n    batchStatus(id: $id) {\n      sequence\n      initial\n      terminal\n      observedAt\n      batch {\n        id\n        status\n        rawStatus\n        metrics {\n          recordsRead\n          recordsWritten\n          failedRecordCount\n        }\n        errors {\n          code\n          description\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;