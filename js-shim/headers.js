// Headers from the core travel as [[name, value], ...] (src/abi/README.md).

export function headerEntries(headers) {
  if (!Array.isArray(headers)) return [];
  return headers.filter((h) => Array.isArray(h) && h.length === 2).map(([k, v]) => [String(k), String(v)]);
}
