import { describe, expect, it } from 'vitest';
import { errors as undiciErrors } from 'undici';
import { PlatformError, fromResponse, fromTransportError, isTransient, parseRetryAfter } from '../../../src/platform/errors.ts';

describe('PlatformError.fromResponse', () => {
  it('should read the Adobe I/O gateway shape {error_code, message}', () => {
    const error = fromResponse(401, '{"error_code": "401013", "message": "Oauth token is not valid"}', { 'x-request-id': 'req-1' }, 'catalog');
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'http', status: 401, aepCode: '401013', title: 'Oauth token is not valid', detail: 'Oauth token is not valid', requestId: 'req-1', api: 'catalog' });
    expect(error.message).toContain('401013');
  });

  it('should read shape A (Schema Registry, with report) and take the request id from the report', () => {
    const body = {
      type: 'http://ns.adobe.com/aep/errors/XDM-1010-404',
      title: 'Resource not found',
      status: 404,
      report: { registryRequestId: '3f1c2a9e-5b7d-4e0a-9c11-2d6f8b7e4a10', timestamp: '06-01-2021 04:11:06', 'detailed-message': 'The requested class resource x is not found.', 'sub-errors': [] },
      detail: 'The requested class resource x is not found.',
    };
    const error = fromResponse(404, JSON.stringify(body), {}, 'schemaRegistry');
    expect(error).toMatchObject({ status: 404, aepCode: 'XDM-1010-404', title: 'Resource not found', detail: 'The requested class resource x is not found.', requestId: '3f1c2a9e-5b7d-4e0a-9c11-2d6f8b7e4a10' });
  });

  it('should prefer the x-request-id header over the report id', () => {
    const body = { type: 'http://ns.adobe.com/aep/errors/XDM-1521-400', title: 'Title not unique', status: 400, report: { registryRequestId: 'from-report' } };
    const error = fromResponse(400, body, { 'x-request-id': ['from-header'] }, 'schemaRegistry');
    expect(error.requestId).toBe('from-header');
    expect(error.detail).toBe('Title not unique');
  });

  it('should read shape B (/placeholder/type/uri) with the title as the code', () => {
    const error = fromResponse(403, Buffer.from('{"type": "/placeholder/type/uri", "status": 403, "title": "ForbiddenError", "detail": "Not permitted to create or modify tags for namespace(adobe/pqs/table)."}'), {}, 'catalog');
    expect(error).toMatchObject({ status: 403, aepCode: 'ForbiddenError', title: 'ForbiddenError', detail: 'Not permitted to create or modify tags for namespace(adobe/pqs/table).' });
  });

  it('should read shape C (Sandbox Management) with the title as the message', () => {
    const error = fromResponse(400, { status: 400, title: 'Sandbox cannot be reset', type: 'http://ns.adobe.com/aep/errors/SMS-2074-400' }, {}, 'sandboxes');
    expect(error).toMatchObject({ aepCode: 'SMS-2074-400', title: 'Sandbox cannot be reset', detail: 'Sandbox cannot be reset' });
  });

  it('should read the IMS shape {error, error_description}', () => {
    const error = fromResponse(400, '{"error":"invalid_client","error_description":"invalid client_secret parameter"}', {}, 'ims');
    expect(error).toMatchObject({ aepCode: 'invalid_client', title: 'invalid_client', detail: 'invalid client_secret parameter', api: 'ims' });
  });

  it('should keep a text body as the detail, cut to a sane length', () => {
    const error = fromResponse(502, `<html>${'x'.repeat(2000)}</html>`, {}, 'catalog');
    expect(error.aepCode).toBeUndefined();
    expect(error.detail?.startsWith('<html>')).toBe(true);
    expect(error.detail?.length).toBeLessThanOrEqual(500);
  });

  it('should cope with empty, invalid JSON and non-object bodies', () => {
    expect(fromResponse(500, '', {}, 'catalog')).toMatchObject({ status: 500, aepCode: undefined, detail: undefined });
    expect(fromResponse(500, '{not json', {}, 'catalog').detail).toBe('{not json');
    expect(fromResponse(500, '[1,2]', {}, 'catalog').aepCode).toBeUndefined();
    expect(fromResponse(500, undefined, {}, 'catalog').message).toBe('Catalog answered 500');
  });

  it('should read Retry-After in seconds and as an HTTP date', () => {
    expect(fromResponse(429, '', { 'retry-after': '7' }, 'catalog').retryAfterSeconds).toBe(7);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('should not put request headers or tokens into the message', () => {
    const error = fromResponse(401, { error_code: '401013', message: 'Oauth token is not valid' }, { authorization: 'Bearer secret-token' }, 'catalog');
    expect(error.message).not.toContain('secret-token');
    expect(JSON.stringify({ ...error })).not.toContain('secret-token');
  });
});

describe('fromTransportError', () => {
  it('should map the undici timeouts to kind timeout', () => {
    for (const error of [new undiciErrors.ConnectTimeoutError(), new undiciErrors.HeadersTimeoutError(), new undiciErrors.BodyTimeoutError()]) {
      const mapped = fromTransportError(error, 'catalog');
      expect(mapped?.kind).toBe('timeout');
      expect(mapped?.status).toBeUndefined();
      expect(mapped?.code).toBe(error.code);
      expect(mapped && isTransient(mapped)).toBe(true);
    }
  });

  it('should map refused and reset connections and socket errors to kind network', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(fromTransportError(refused, 'ingestion')).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', api: 'ingestion' });
    expect(fromTransportError(reset, 'ingestion')?.kind).toBe('network');
    expect(fromTransportError(new undiciErrors.SocketError('other side closed'), 'ingestion')?.kind).toBe('network');
    expect(fromTransportError(new AggregateError([refused]), 'ingestion')?.code).toBe('ECONNREFUSED');
  });

  it('should leave aborts and unknown errors alone', () => {
    expect(fromTransportError(new DOMException('aborted', 'AbortError'), 'catalog')).toBeNull();
    expect(fromTransportError(new TypeError('bug'), 'catalog')).toBeNull();
    expect(fromTransportError(new undiciErrors.RequestContentLengthMismatchError(), 'catalog')).toBeNull();
  });

  it('should call 429 and 5xx transient but not 4xx', () => {
    expect(isTransient(fromResponse(429, '', {}, 'catalog'))).toBe(true);
    expect(isTransient(fromResponse(503, '', {}, 'catalog'))).toBe(true);
    expect(isTransient(fromResponse(400, '', {}, 'catalog'))).toBe(false);
    expect(isTransient(fromResponse(501, '', {}, 'catalog'))).toBe(false);
  });
});
