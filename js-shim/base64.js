// Base64 from the core's effects: R2 uploads of inline data and JWS signatures.

import { Buffer } from "node:buffer";

/** Strict base64 (standard or URL alphabet, padding optional) to bytes; null when malformed. */
export function decodeBase64(text) {
  if (typeof text !== "string") return null;
  const clean = text.replace(/[\r\n]/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(clean.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
}
