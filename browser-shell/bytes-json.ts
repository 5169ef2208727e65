// The browser shell's bridge carries JSON only (HTTP, or the test host's Playwright binding): bytes
// cross it as base64 and are restored on the other side. btoa/atob exist in Node and in the page
// alike, so both sides share this module.

type Encoded = { __siberiaBytes: string };

export function encodeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    let binary = '';
    for (let i = 0; i < value.length; i += 0x8000)
      binary += String.fromCharCode(...value.subarray(i, i + 0x8000));
    return { __siberiaBytes: btoa(binary) } satisfies Encoded;
  }
  if (Array.isArray(value)) return value.map(encodeBytes);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBytes(v)]));
  return value;
}

export function decodeBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeBytes);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.__siberiaBytes === 'string' && Object.keys(v).length === 1)
      return Uint8Array.from(atob(v.__siberiaBytes), (c) => c.charCodeAt(0));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeBytes(x)]));
  }
  return value;
}
