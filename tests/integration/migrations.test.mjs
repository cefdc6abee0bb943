// scripts/migrate.mjs against real PostgreSQL 15: a fresh database gets every file, a second
// run applies nothing, a function file is applied again when (and only when) it changes, a
// failing one leaves nothing behind, re-applying every function file changes no part of the
// schema (grants and policies included), and a database built from the layout before
// migrations/functions/ is refused untouched (exit 3 for scripts/dev, which rebuilds its own).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ForeignMigrationsError, MIGRATIONS_DIR, migrate, migrationList } from "../../scripts/migrate.mjs";
import { schemaDump } from "../../scripts/schema-dump.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

const sha256 = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** A copy of migrations/ to edit: {dir, edit(relative, change(text) → text), remove()}. */
function migrationsCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ag-migrations-"));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return {
    dir,
    edit(relative, change) {
      const file = path.join(dir, relative);
      fs.writeFileSync(file, change(fs.readFileSync(file, "utf8")));
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function recorded(db) {
  const rows = await db.sql`select version, checksum from public.schema_migrations order by version`;
  return Object.fromEntries(rows.map((r) => [r.version, r.checksum]));
}

describe("a fresh database", () => {
  let db;
  before(async () => {
    db = await createTestDatabase({ prefix: "ag_migrate", empty: true });
  });
  after(() => db?.drop());

  test("gets every file once, in order, each recorded with its checksum", async () => {
    const expected = migrationList({ local: true });
    assert.ok(expected.some((m) => m.repeatable) && expected.some((m) => !m.repeatable), "both kinds of files exist");
    assert.deepEqual(await migrate(db.url, { local: true }), expected.map((m) => m.version));
    assert.deepEqual(await recorded(db), Object.fromEntries(expected.map((m) => [m.version, sha256(m.file)])));
    // the functions the Worker calls are its role's, nobody else's
    const [grants] = await db.sql`
      select has_function_privilege('alphogen_api', 'public.grant_credits(uuid, bigint, text, text, text, jsonb)', 'execute') as api,
             has_function_privilege('anon', 'public.grant_credits(uuid, bigint, text, text, text, jsonb)', 'execute') as anon,
             has_function_privilege('alphogen_api', 'public._credit_lock(uuid)', 'execute') as api_internal`;
    assert.deepEqual({ ...grants }, { api: true, anon: false, api_internal: false });
  });

  test("a second run applies nothing and changes nothing", async () => {
    const before = await schemaDump(db.url);
    assert.deepEqual(await migrate(db.url, { local: true }), []);
    assert.equal(await schemaDump(db.url), before);
  });
});

describe("function files", () => {
  let db;
  let copy;
  before(async () => {
    db = await createTestDatabase({ prefix: "ag_migrate" });
    copy = migrationsCopy();
  });
  after(async () => {
    copy?.remove();
    await db?.drop();
  });

  test("re-applying every function file changes no part of the schema", async () => {
    const before = await schemaDump(db.url);
    await db.sql`update public.schema_migrations set checksum = 'stale' where version like 'functions/%'`;
    const again = await migrate(db.url, { local: true });
    assert.deepEqual(again, migrationList({ local: true }).filter((m) => m.repeatable).map((m) => m.version));
    assert.equal(await schemaDump(db.url), before);
  });

  test("a changed function file is applied again, and only it", async () => {
    copy.edit("functions/uploads.sql", (text) =>
      text.replace("delete from public.user_uploads u where u.key = p_key", "delete from public.user_uploads u where u.key = p_key and false"),
    );
    const [changed] = migrationList({ local: true, dir: copy.dir }).filter((m) => m.version === "functions/uploads.sql");
    assert.deepEqual(await migrate(db.url, { local: true, dir: copy.dir }), ["functions/uploads.sql"]);
    assert.equal((await recorded(db))["functions/uploads.sql"], sha256(changed.file));
    const [{ body }] = await db.sql`select prosrc as body from pg_proc where oid = 'public.forget_upload(text)'::regprocedure`;
    assert.match(body, /and false/);
    assert.deepEqual(await migrate(db.url, { local: true, dir: copy.dir }), []);
  });

  test("a failing function file rolls back whole, its recorded checksum unchanged", async () => {
    const checksum = (await recorded(db))["functions/credits.sql"];
    copy.edit("functions/credits.sql", (text) => `drop function public.credits_overview(uuid, integer, integer);\n${text}select 1 / 0;\n`);
    await assert.rejects(migrate(db.url, { local: true, dir: copy.dir }), { message: /^functions\/credits\.sql: division by zero/ });
    assert.equal((await recorded(db))["functions/credits.sql"], checksum);
    const [{ present }] = await db.sql`select to_regprocedure('public.credits_overview(uuid, integer, integer)') is not null as present`;
    assert.equal(present, true, "the file's earlier statements were rolled back");
  });
});

describe("a database built from the layout before migrations/functions/", () => {
  // What scripts/migrate.mjs recorded for such a database (scripts/dev's: --local --dev).
  const OLD = [
    "local/0000_supabase_compat.sql", "0001_jobs_and_events.sql", "0002_credits_and_jobs.sql",
    "0003_credit_functions.sql", "0004_job_functions.sql", "0005_api_role_and_rls.sql",
    "0006_job_webhooks_and_endpoints.sql", "0007_billing.sql", "0008_link_customer_race.sql",
    "0009_fulfil_race.sql", "0010_billing_periods_and_disputes.sql", "0011_model_content_types.sql",
    "0012_upload_storage.sql", "0013_retention.sql", "0014_credits_overview.sql",
    "dev/0001_local_generation_models.sql",
  ];
  let db;
  before(async () => {
    db = await createTestDatabase({ prefix: "ag_migrate", empty: true });
    await db.sql.unsafe(`create table public.schema_migrations (version text primary key, applied_at timestamptz default now());
                         create table public.jobs (id uuid primary key)`);
    for (const version of OLD) await db.sql`insert into public.schema_migrations (version) values (${version})`;
  });
  after(() => db?.drop());

  test("is refused before anything is applied", async () => {
    const history = () => db.sql`select to_jsonb(m) as row from public.schema_migrations m order by version`;
    const [schema, rows] = [await schemaDump(db.url), await history()];
    await assert.rejects(migrate(db.url, { local: true, dev: true }), (err) => {
      assert.ok(err instanceof ForeignMigrationsError, String(err));
      assert.deepEqual(err.versions, OLD.filter((v) => !v.includes("/")).sort());
      return true;
    });
    assert.equal(await schemaDump(db.url), schema);
    assert.deepEqual(await history(), rows, "schema_migrations is untouched (no checksum column either)");
  });

  test("the command says so in one line and exits 3 (scripts/dev then rebuilds its own)", async () => {
    const failed = await run("node", ["scripts/migrate.mjs", "--local", "--dev", db.url], { cwd: ROOT }).then(
      () => null,
      (err) => err,
    );
    assert.equal(failed?.code, 3, failed?.stderr);
    assert.equal(failed.stdout, "");
    assert.match(failed.stderr, /^migrate: \S+: built from other migrations \(the layout before migrations\/functions\/: .*0001_jobs_and_events\.sql.*\); nothing applied\n$/);
  });
});
