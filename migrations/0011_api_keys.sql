-- API keys (issue 24, docs/endpoints.md "API keys"): a user's long-lived credentials for
-- servers, `Authorization: Bearer ag_live_...`. Only the SHA-256 of a secret is kept; the
-- secret itself is shown once, when the key is created. A revoked key stays as a record
-- (revoked_at) and is never accepted again. Written only by migrations/functions/api_keys.sql.

create table if not exists public.api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  name text not null check (length(name) between 1 and 100),
  prefix text not null check (length(prefix) between 1 and 32),
  secret_hash text not null check (secret_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  constraint api_keys_secret_hash_key unique (secret_hash)
);
create index if not exists api_keys_user_idx on public.api_keys (user_id, created_at desc);

-- Server-only: keys are read and written through the functions.
revoke all on public.api_keys from anon, authenticated;
select public._enable_rls('{public.api_keys}');
