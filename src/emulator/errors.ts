// The Platform's error bodies, exactly as documented (platform-api.md §1.4,
// §1.5). Route modules throw EmulatorError; the server writes it out.
import { randomUUID } from 'node:crypto';

export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : `HTTP ${status}`);
  }
}

/** Adobe I/O gateway errors: `{error_code, message}`, status = first three digits of the code. */
export function gatewayError(errorCode: string, message: string): EmulatorError {
  return new EmulatorError(Number(errorCode.slice(0, 3)), { error_code: errorCode, message });
}

const LEGACY_TITLES: Record<number, string> = {
  400: 'BadRequestError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  406: 'NotAcceptableError',
  409: 'ConflictError',
  412: 'PreconditionFailedError',
  413: 'PayloadTooLargeError',
  414: 'URITooLongError',
  415: 'UnsupportedMediaTypeError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
  503: 'ServiceUnavailableError',
};

/** Shape B, used by Catalog, the import/export services and the content-type check. */
export function legacyError(status: number, detail: string, headers: Record<string, string> = {}): EmulatorError {
  return new EmulatorError(
    status,
    { type: '/placeholder/type/uri', status, title: LEGACY_TITLES[status] ?? 'Error', detail },
    headers,
  );
}

function registryTimestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}-${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

/** Shape A, the Schema Registry's problem details with a `report`. `code` is e.g. "XDM-1010-404". */
export function registryError(code: string, title: string, detail: string): EmulatorError {
  const status = Number(code.slice(code.lastIndexOf('-') + 1));
  return new EmulatorError(status, {
    type: `http://ns.adobe.com/aep/errors/${code}`,
    title,
    status,
    report: {
      registryRequestId: randomUUID(),
      timestamp: registryTimestamp(),
      'detailed-message': detail,
      'sub-errors': [],
    },
    detail,
  });
}

/** Shape C, Sandbox Management. */
export function sandboxError(code: string, title: string): EmulatorError {
  const status = Number(code.slice(code.lastIndexOf('-') + 1));
  return new EmulatorError(status, { status, title, type: `http://ns.adobe.com/aep/errors/${code}` });
}

export const CONTENT_TYPE_ERROR = () => legacyError(400, 'A valid content-type must be specified');
