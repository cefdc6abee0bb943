// The prompt's own random numbers: the same prompt always draws the same picture, plays the
// same tune and writes the same text, the way a seeded model would.
import crypto from "node:crypto";

/** A function returning numbers in [0, 1), a SHA-256 stream keyed by `prompt`. */
export function promptRandom(prompt) {
  let block = 0;
  let pool = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 4 > pool.length) {
      pool = crypto.createHash("sha256").update(`${block++}\0${prompt}`).digest();
      offset = 0;
    }
    const value = pool.readUInt32BE(offset);
    offset += 4;
    return value / 2 ** 32;
  };
}

/** The prompt's words (letters and digits), at most `max` of them; never empty. */
export function promptWords(prompt, max = 16) {
  const words = prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length > 0 ? words.slice(0, max) : ["silence"];
}
