// GraphQL over HTTP for the upload page: a JSON POST for queries, and the
// GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec)
// sent with XMLHttpRequest, the one browser API that reports upload progress.
import { PREFLIGHT_HEADERS } from '../preflight.ts';

export interface GraphQLError {
  readonly message: string;
  readonly extensions?: { readonly [key: string]: unknown };
}

export interface GraphQLResponse<Data> {
  readonly data?: Data | null;
  readonly errors?: readonly GraphQLError[];
}

/** A response with errors, or one that is not GraphQL at all. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly errors: readonly GraphQLError[] = [],
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

export function describeErrors(errors: readonly GraphQLError[]): string {
  return errors
    .map((error) => {
      const code = error.extensions?.code;
      return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
    })
    .join('\n');
}

function dataOrThrow<Data>(response: GraphQLResponse<Data>): Data {
  if (response.errors?.length) throw new GraphQLRequestError(describeErrors(response.errors), response.errors);
  if (response.data == null) throw new GraphQLRequestError('the response has no data');
  return response.data;
}

function parseResponse<Data>(status: number, text: string): GraphQLResponse<Data> {
  try {
    return JSON.parse(text) as GraphQLResponse<Data>;
  } catch {
    throw new GraphQLRequestError(`HTTP ${status}: ${text.slice(0, 300) || 'empty response'}`);
  }
}

export async function postQuery<Data>(
  endpoint: string,
  headers: Readonly<Record<string, string>>,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Data> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { ...headers, ...PREFLIGHT_HEADERS, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return dataOrThrow(parseResponse<Data>(response.status, await response.text()));
}

export interface MultipartRequest {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** Each file with the variable path it fills, e.g. `input.files.0`. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly file: File }>;
}

/** The multipart body: `operations`, then `map`, then the files, in that order (the spec requires it). */
export function multipartBody({ query, variables, files }: MultipartRequest): FormData {
  const body = new FormData();
  body.append('operations', JSON.stringify({ query, variables }));
  const map: Record<string, string[]> = {};
  files.forEach(({ path }, index) => {
    map[String(index)] = [`variables.${path}`];
  });
  body.append('map', JSON.stringify(map));
  files.forEach(({ file }, index) => body.append(String(index), file, file.name));
  return body;
}

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export function postMultipart<Data>(
  endpoint: string,
  headers: Readonly<Record<string, string>>,
  request: MultipartRequest,
  onProgress: (progress: UploadProgress) => void,
  onSent: () => void,
): Promise<Data> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', endpoint);
    // No content-type: the browser writes multipart/form-data with its boundary.
    for (const [name, value] of Object.entries({ ...headers, ...PREFLIGHT_HEADERS, accept: 'application/json' })) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    });
    xhr.upload.addEventListener('load', onSent);
    xhr.addEventListener('load', () => {
      try {
        resolve(dataOrThrow(parseResponse<Data>(xhr.status, xhr.responseText)));
      } catch (error) {
        reject(error);
      }
    });
    xhr.addEventListener('error', () => reject(new GraphQLRequestError('the upload failed: the connection to the gateway broke')));
    xhr.addEventListener('abort', () => reject(new GraphQLRequestError('the upload was aborted')));
    xhr.send(multipartBody(request));
  });
}
