// Apollo Server's CSRF prevention refuses GET and simple-form POST requests
// that carry no custom header. Every request from the pages carries this one,
// which forces a preflight-capable (non-simple) request.
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = { 'apollo-require-preflight': 'true' };
