// The text a prompt "generates": three lines made of its words in an order the prompt picks,
// saying plainly that no model wrote them.
import { promptRandom, promptWords } from "./prompt-random.mjs";

/** The prompt's text, UTF-8 bytes. */
export function renderText(prompt) {
  const random = promptRandom(`text\0${prompt}`);
  const words = promptWords(prompt);
  const line = (count) => Array.from({ length: count }, () => words[Math.floor(random() * words.length)]).join(" ");
  const text = [
    `Prompt: ${prompt}`,
    "",
    line(3),
    line(5),
    line(3),
    "",
    "Written by the local generation server of scripts/dev, a development stand-in: no model ran.",
    "",
  ].join("\n");
  return Buffer.from(text, "utf8");
}
