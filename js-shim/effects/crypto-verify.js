// The `crypto.verify` effect: an ES256 or RS256 JWS signature, or an Ed25519 one (fal's
// webhooks), checked by the runtime's WebCrypto, natively, instead of in wasm arithmetic. The
// core chose and validated the key and built the message; this only imports the key (once per
// isolate) and verifies.

import { decodeBase64 } from "../base64.js";

const ALGORITHMS = {
  ES256: { key: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
  RS256: { key: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
  EdDSA: { key: { name: "Ed25519" }, verify: { name: "Ed25519" } },
};

// A project has a handful of signing keys; the bound only stops a stream of new ones
// from growing the map for the isolate's life.
const MAX_KEYS = 16;
const imported = new Map();

const encoder = new TextEncoder();

function importKey(alg, jwk) {
  const id = `${alg} ${JSON.stringify(jwk)}`;
  let key = imported.get(id);
  if (!key) {
    if (imported.size >= MAX_KEYS) imported.clear();
    key = crypto.subtle.importKey("jwk", jwk, ALGORITHMS[alg].key, false, ["verify"]);
    key.catch(() => imported.delete(id));
    imported.set(id, key);
  }
  return key;
}

export async function performCryptoVerify(effect) {
  const algorithm = ALGORITHMS[effect.alg];
  if (!algorithm) return { error: { code: "unsupported", message: `unknown algorithm ${JSON.stringify(effect.alg)}` } };
  let key;
  try {
    key = await importKey(effect.alg, effect.key);
  } catch (err) {
    return { error: { code: "bad_key", message: `the key was refused: ${err?.message ?? err}` } };
  }
  const signature = decodeBase64(effect.signature);
  if (signature == null) return { error: { code: "invalid_base64", message: "the signature is not base64url" } };
  const valid = await crypto.subtle.verify(algorithm.verify, key, signature, encoder.encode(effect.data));
  return { valid };
}
