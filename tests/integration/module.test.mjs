// The built modules themselves: both toolchain routes produce a module that imports
// only WASI and exports the ABI of src/abi/README.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const ABI_EXPORTS = ["ag_abi_version", "ag_alloc", "ag_free", "ag_init", "ag_start", "ag_resume", "ag_cancel", "ag_live_tasks", "memory"];

for (const [name, path] of [["emscripten", "build/wasm/alphogen.wasm"], ["wasi-sdk", "build/wasm-wasi/alphogen.wasm"]]) {
  test(`${name} module imports only wasi_snapshot_preview1 and exports the ABI`, () => {
    const module = new WebAssembly.Module(readFileSync(path));
    const imports = WebAssembly.Module.imports(module);
    assert.ok(imports.length > 0);
    for (const entry of imports) assert.equal(entry.module, "wasi_snapshot_preview1", `${entry.module}.${entry.name}`);
    const exports = WebAssembly.Module.exports(module).map((entry) => entry.name);
    for (const name of ABI_EXPORTS) assert.ok(exports.includes(name), `missing export ${name}`);
  });
}
