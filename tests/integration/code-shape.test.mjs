// The shape the core keeps (docs/development.md, "Layout"), checked on the tracked sources:
// C++ formatted by .clang-format; SQL text only in a domain's store.cpp or in db/; nothing
// outside the handlers (and the entry that wires them) includes api/; no handler over 60 lines.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tracked = (...globs) =>
  execFileSync("git", ["ls-files", "--", ...globs], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
const read = (file) => fs.readFileSync(path.join(ROOT, file), "utf8");
const cppSources = tracked("src/*.cpp", "src/*.hpp");

test("C++ is formatted as .clang-format says", () => {
  const files = tracked("src/*.cpp", "src/*.hpp", "tests/*.cpp", "tests/*.hpp");
  assert.ok(files.length > 100, `only ${files.length} C++ files found`);
  let report = "";
  try {
    execFileSync("clang-format", ["--dry-run", "--Werror", ...files], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    report = `${error.stderr}`.split("\n").slice(0, 20).join("\n");
  }
  assert.equal(report, "", "run: git ls-files 'src/*.[ch]pp' 'tests/*.[ch]pp' | xargs clang-format -i");
});

test("SQL is written only in a domain's store.cpp or in db/", () => {
  const statement = /"(select|insert|update|delete|with) /i;
  const outside = cppSources.filter(
    (file) => file.endsWith(".cpp") && !file.startsWith("src/db/") && !file.endsWith("/store.cpp") && statement.test(read(file)),
  );
  assert.deepEqual(outside, []);
});

test("only handlers and the entry include api/", () => {
  const outside = cppSources.filter(
    (file) => !/^src\/(api|abi)\//.test(file) && file !== "src/wasm_main.cpp" && read(file).includes('#include "api/'),
  );
  assert.deepEqual(outside, []);
});

test("no handler is longer than 60 lines", () => {
  const long = [];
  for (const file of cppSources.filter((f) => f.startsWith("src/api/") && f.endsWith(".cpp"))) {
    const lines = read(file).split("\n");
    lines.forEach((line, i) => {
      const handler = line.match(/^Task<Response> (\w+)\(/);
      if (!handler) return;
      const end = lines.findIndex((l, j) => j > i && l === "}");
      if (end - i + 1 > 60) long.push(`${file}: ${handler[1]} (${end - i + 1} lines)`);
    });
  }
  assert.deepEqual(long, []);
});
