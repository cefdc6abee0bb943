// Reads a byte stream into one Uint8Array, stopping at a cap.

export class TooLarge extends Error {
  constructor(maxBytes) {
    super(`body exceeds ${maxBytes} bytes`);
    this.name = "TooLarge";
  }
}

/** The Content-Length `headers` declare; null when absent or not a plain decimal number. */
export function declaredLength(headers) {
  const declared = headers.get("content-length");
  return declared !== null && /^\d+$/.test(declared) ? Number(declared) : null;
}

/** Reads `stream` fully; throws TooLarge (and cancels the stream) past `maxBytes`. */
export async function readCapped(stream, maxBytes) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = value instanceof Uint8Array ? value : new Uint8Array(value);
    total += chunk.length;
    if (maxBytes != null && total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new TooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
