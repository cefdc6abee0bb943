-- Jobs and events: the tables of the original API (seeds/000 "Database Setup"), with
-- gen_random_uuid() (built in since PostgreSQL 13) instead of uuid-ossp, and events.event_id:
-- the id POST /webhooks/* returns. Idempotent, so it also upgrades a Supabase project that
-- ran the original SQL by hand.

create table if not exists public.jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid,                 -- null for admin jobs
  status text default 'queued',
  payload jsonb,
  result jsonb,
  created_at timestamptz default now()
);

create index if not exists jobs_user_created_idx on public.jobs (user_id, created_at desc);

create table if not exists public.events (
  id bigserial primary key,
  event_id uuid not null default gen_random_uuid(),
  type text not null,
  payload jsonb,
  created_at timestamptz default now()
);

-- A table created by the original SQL lacks event_id: add it (existing rows get fresh ids).
alter table public.events add column if not exists event_id uuid not null default gen_random_uuid();
create unique index if not exists events_event_id_key on public.events (event_id);
create index if not exists events_type_created_idx on public.events (type, created_at desc);

-- Row Level Security: Supabase clients read their own jobs; the service role manages all.
-- (The original SQL created the events policy without enabling RLS on events, which left
-- events readable through the Data API; enabling it is the evident intent.)
alter table public.jobs enable row level security;
alter table public.events enable row level security;

drop policy if exists "job_owner_can_read" on public.jobs;
create policy "job_owner_can_read" on public.jobs
  for select using (auth.uid() = user_id);

drop policy if exists "job_owner_can_insert" on public.jobs;
create policy "job_owner_can_insert" on public.jobs
  for insert with check (auth.uid() = user_id);

drop policy if exists "service_role_all_jobs" on public.jobs;
create policy "service_role_all_jobs" on public.jobs
  for all using (auth.role() = 'service_role');

drop policy if exists "service_role_all_events" on public.events;
create policy "service_role_all_events" on public.events
  for all using (auth.role() = 'service_role');
