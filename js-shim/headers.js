// Headers from the core travel as [[name, value], ...] (src/abi/README.md).

export function headerEntries(headers) {
  if (!Array.isArray(headers)) return [];
  return headers.filter((h) => Array.isArray(h) && h.length === 2).map(([k, v]) => [String(k), String(v)]);
}

/**
 * The core's headers as a Response's init: a plain record, which the runtime takes in one
 * call (half the cost of appending to a Headers one by one), or a Headers when a record cannot
 * carry them: a repeated name, or one that records turn into a prototype (`__proto__`).
 */
export function responseHeaders(headers) {
  const entries = headerEntries(headers);
  const record = {};
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    if (key === "__proto__" || Object.hasOwn(record, key)) return new Headers(entries);
    record[key] = value;
  }
  return record;
}

/** A request's headers as [[name, value], ...]; forEach costs a third of spreading the iterator. */
export function requestHeaderList(headers) {
  const list = [];
  headers.forEach((value, name) => {
    list.push([name, value]);
  });
  return list;
}
