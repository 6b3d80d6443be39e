// sha256 as hex, with the browser's own Web Crypto: what Apollo's
// PersistedQueryLink hashes query texts with (automatic persisted queries).
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
