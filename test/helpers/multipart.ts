// Builds GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec)
// the way upload clients send them: `operations`, then `map`, then one part
// per file, in order.

export interface MultipartFile {
  /** Where the file goes in the operation, e.g. 'variables.input.file' or 'variables.input.files.0'. */
  readonly path: string;
  readonly name: string;
  readonly content: Buffer | string;
  /** @default 'application/octet-stream' */
  readonly type?: string;
}

export interface MultipartOperation {
  readonly query: string;
  /** The variables, with `null` where each file goes. */
  readonly variables: Record<string, unknown>;
  readonly operationName?: string;
}

export function multipartBody(operation: MultipartOperation, files: readonly MultipartFile[]): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify(operation));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((file, i) => [String(i), [file.path]]))));
  files.forEach((file, i) => {
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    form.append(String(i), new Blob([new Uint8Array(bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  });
  return form;
}

export interface MultipartResult<T> {
  readonly status: number;
  readonly data: T | null;
  readonly errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: Array<string | number> }>;
}

/** Sends a multipart request with the CSRF preflight header Apollo requires for multipart bodies. */
export async function postMultipart<T = Record<string, unknown>>(
  url: string,
  operation: MultipartOperation,
  files: readonly MultipartFile[],
  headers: Record<string, string> = {},
): Promise<MultipartResult<T>> {
  const response = await fetch(url, { method: 'POST', headers: { 'apollo-require-preflight': 'true', ...headers }, body: multipartBody(operation, files) });
  const text = await response.text();
  const json = JSON.parse(text) as { data?: T | null; errors?: MultipartResult<T>['errors'] };
  return { status: response.status, data: json.data ?? null, ...(json.errors ? { errors: json.errors } : {}) };
}
