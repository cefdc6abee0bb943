// The image a prompt "generates": a two-colour gradient with one translucent disc per word
// (size from the word's length, colour and place from the prompt's random numbers), as PNG.
import { encodePng } from "./png.mjs";
import { promptRandom, promptWords } from "./prompt-random.mjs";

export const IMAGE_SIZE = 512;

/** [r, g, b] in 0..255 for a hue in [0, 1) at the given saturation and lightness. */
function hsl(h, s, l) {
  const k = (n) => (n + h * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255));
}

/** The prompt's picture as RGBA bytes, IMAGE_SIZE × IMAGE_SIZE. */
export function drawPrompt(prompt) {
  const random = promptRandom(prompt);
  const size = IMAGE_SIZE;
  const pixels = Buffer.alloc(size * size * 4);
  const top = hsl(random(), 0.6, 0.25);
  const bottom = hsl(random(), 0.6, 0.6);
  for (let y = 0; y < size; y++) {
    const t = y / (size - 1);
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(top[c] * (1 - t) + bottom[c] * t);
      pixels[i + 3] = 255;
    }
  }
  for (const word of promptWords(prompt)) {
    const colour = hsl(random(), 0.8, 0.55);
    const radius = size * (0.05 + Math.min(word.length, 12) * 0.015);
    const cx = random() * size;
    const cy = random() * size;
    for (let y = Math.max(0, Math.floor(cy - radius)); y < Math.min(size, cy + radius); y++) {
      for (let x = Math.max(0, Math.floor(cx - radius)); x < Math.min(size, cx + radius); x++) {
        const distance = Math.hypot(x - cx, y - cy) / radius;
        if (distance >= 1) continue;
        const alpha = 0.7 * (1 - distance ** 4); // soft edge
        const i = (y * size + x) * 4;
        for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(pixels[i + c] * (1 - alpha) + colour[c] * alpha);
      }
    }
  }
  return pixels;
}

/** The prompt's picture as PNG bytes. */
export function renderImage(prompt) {
  return encodePng(IMAGE_SIZE, IMAGE_SIZE, drawPrompt(prompt));
}
