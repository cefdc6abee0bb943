// The documentation's promises that a file can check: the architecture picture
// (docs/architecture.svg) was drawn from its current text source (docs/architecture.dot), by
// the SHA-256 of the source that scripts/docs-picture records beside the image (the pixels
// differ between Graphviz versions, so they are not compared), and every label of the source
// is in the image; the README stays a guide and its links lead to files that exist.

import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (file) => fs.readFileSync(path.join(ROOT, file), "utf8");

test("docs/architecture.svg was drawn from the current docs/architecture.dot", () => {
  const source = read("docs/architecture.dot");
  const recorded = read("docs/architecture.sha256").match(/^([0-9a-f]{64}) {2}architecture\.dot$/m);
  assert.ok(recorded, "docs/architecture.sha256 is not a sha256sum line for architecture.dot");
  const actual = crypto.createHash("sha256").update(source).digest("hex");
  assert.equal(actual, recorded[1], "docs/architecture.dot changed since the picture was drawn: run scripts/docs-picture");

  const svg = read("docs/architecture.svg");
  assert.match(svg, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const entities = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  const decode = (s) =>
    s.replace(/&(#\d+|[a-z]+);/g, (_, e) => (e[0] === "#" ? String.fromCodePoint(Number(e.slice(1))) : entities[e]));
  const texts = new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1])));
  const labels = [...source.matchAll(/label="([^"]*)"/g)].flatMap((m) => m[1].split("\\n"));
  assert.ok(labels.length > 10, `labels: ${labels}`);
  for (const line of labels) assert.ok(texts.has(line), `"${line}" is not in the picture`);
});

test("the README is a guide of at most 250 lines whose links reach files of the repository", () => {
  const readme = read("README.md");
  assert.ok(readme.split("\n").length <= 250, `README.md has ${readme.split("\n").length} lines`);
  for (const [, target] of readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    assert.ok(fs.existsSync(path.join(ROOT, target)), `README.md links to ${target}, which does not exist`);
  }
});
