// The audio a prompt "generates": one note per word on a pentatonic scale picked by the
// prompt, each with a soft attack and decay, as a WAV file.
import { promptRandom, promptWords } from "./prompt-random.mjs";
import { encodeWav } from "./wav.mjs";

export const SAMPLE_RATE = 22050;
const NOTE_SECONDS = 0.3;
const PENTATONIC = [0, 2, 4, 7, 9, 12, 14, 16]; // semitones above the root

/** The prompt's tune as samples in -1..1, at least 2 s long. */
export function playPrompt(prompt) {
  const random = promptRandom(`tune\0${prompt}`);
  const root = 220 * 2 ** (Math.floor(random() * 12) / 12); // A3 .. G#4
  const words = promptWords(prompt);
  const notes = Math.max(words.length, Math.ceil(2 / NOTE_SECONDS));
  const perNote = Math.round(NOTE_SECONDS * SAMPLE_RATE);
  const samples = new Float64Array(notes * perNote);
  for (let n = 0; n < notes; n++) {
    const semitones = PENTATONIC[Math.floor(random() * PENTATONIC.length)];
    const frequency = root * 2 ** (semitones / 12);
    for (let i = 0; i < perNote; i++) {
      const t = i / SAMPLE_RATE;
      const envelope = Math.min(1, t / 0.01) * Math.exp(-4 * t);
      samples[n * perNote + i] = 0.5 * envelope * Math.sin(2 * Math.PI * frequency * t);
    }
  }
  return samples;
}

/** The prompt's tune as WAV bytes (16-bit mono). */
export function renderTune(prompt) {
  return encodeWav(playPrompt(prompt), SAMPLE_RATE);
}
