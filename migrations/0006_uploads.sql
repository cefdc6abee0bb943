-- Upload storage per user: what each user's uploads under users/<id>/ take in R2, so
-- USER_STORAGE_BYTES holds however many uploads run at once. An upload first reserves its
-- declared length, then records what was stored (or gives the room back); a reservation the
-- Worker never finished lapses after an hour. Job outputs (outputs/<id>/) do not count.
-- Written only by migrations/functions/uploads.sql.

create table if not exists public.user_uploads (
  key text primary key check (length(key) between 1 and 1024),
  user_id uuid not null,
  bytes bigint not null check (bytes >= 0),
  updated_at timestamptz not null default now()
);
create index if not exists user_uploads_user_idx on public.user_uploads (user_id);

create table if not exists public.upload_reservations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  key text not null check (length(key) between 1 and 1024),
  bytes bigint not null check (bytes >= 0),
  expires_at timestamptz not null
);
create index if not exists upload_reservations_user_idx on public.upload_reservations (user_id);

-- A signed-in user may read their own uploads; reservations are server-only.
revoke insert, update, delete, truncate on public.user_uploads from anon, authenticated;
revoke all on public.upload_reservations from anon, authenticated;
select public._enable_rls('{public.user_uploads}', 'owner_read');
select public._enable_rls('{public.upload_reservations}');
