// The default tabs of the GraphiQL page: the Platform tutorial, one step per
// tab (look up the schema, create a dataset on it, create a batch, follow the
// batch's status). Files are sent from the upload page, since GraphiQL cannot.
import type { GraphiQLProps } from 'graphiql';

type TabDefinition = NonNullable<GraphiQLProps['defaultTabs']>[number];

const lookUpSchema = `# Step 1: find the Loyalty Members schema.
# Its id goes into the next tab's variables.
query LoyaltyMembersSchema {
  schemas(first: 50) {
    nodes {
      id
      title
      version
      fields {
        path
        type
        required
      }
    }
  }
}
`;

const createDataset = `# Step 2: create a dataset on the schema.
mutation CreateLoyaltyDataset($schemaId: ID!) {
  createDataset(input: { name: "Loyalty Members", schemaId: $schemaId }) {
    dataset {
      id
      name
      schema {
        title
      }
    }
  }
}
`;

const createBatch = `# Step 3: open a batch on the dataset.
# GraphiQL cannot send files: fill the batch on
# /playground/upload?batch=<batch id>, which
# also completes it (or let that page create
# a batch of its own).
mutation CreateLoyaltyBatch($datasetId: ID!) {
  createBatch(input: { datasetId: $datasetId, format: JSON }) {
    batch {
      id
      status
    }
  }
}
`;

const watchBatch = `# Step 4: follow the batch to success or failure:
# its current state first, then every change.
# Start it before the upload to see each state.
subscription WatchBatch($id: ID!) {
  batchStatus(id: $id) {
    sequence
    observedAt
    previousStatus
    terminal
    batch {
      id
      status
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
`;

const readBack = `# Step 5: read the ingested records back.
query ReadLoyaltyDataset($datasetId: ID!) {
  dataset(id: $datasetId) {
    name
    lastBatch {
      id
      status
    }
    rows(limit: 10)
  }
}
`;

function variables(values: Record<string, string>): string {
  return JSON.stringify(values, null, 2);
}

export function exampleTabs(headers: string): TabDefinition[] {
  return [
    { query: lookUpSchema, headers },
    { query: createDataset, variables: variables({ schemaId: 'the id of the schema from the first tab' }), headers },
    { query: createBatch, variables: variables({ datasetId: 'the id of the dataset from the second tab' }), headers },
    { query: watchBatch, variables: variables({ id: 'the id of a batch' }), headers },
    { query: readBack, variables: variables({ datasetId: 'the id of the dataset' }), headers },
  ];
}
