// GraphiQL's headers editor holds JSON text; the gateway gives a plain object.

export function formatHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.keys(headers).length === 0 ? '' : JSON.stringify(headers, null, 2);
}
