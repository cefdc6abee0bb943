-- Jobs: the models a job can name, the lifecycle as data, the jobs and their events, the
-- Idempotency-Key of POST /jobs, and the events POST /webhooks/* records. The functions that
-- write them: migrations/functions/jobs.sql and retention.sql.
--
-- jobs and events are the tables of the original API (seeds/000 "Database Setup"), which a
-- Supabase project may already have from its SQL run by hand: they are created with the
-- original columns when missing, then given this API's columns (so such a project is upgraded
-- in place, rows kept).

-- ---------------------------------------------------------------------------------------------
-- Models: what a job can name, with its price. At most one default.

create table if not exists public.models (
  id text primary key check (length(id) between 1 and 128),
  provider text not null default 'runpod',
  content_type text not null check (content_type in ('video', 'image', 'audio', 'text')),
  cost_credits integer not null check (cost_credits >= 0),
  is_default boolean not null default false,
  enabled boolean not null default true,
  endpoint_id text,                            -- null: the RUNPOD_ENDPOINT_ID configuration
  created_at timestamptz not null default now()
);

create unique index if not exists models_one_default_idx on public.models ((true)) where is_default;

insert into public.models (id, provider, content_type, cost_credits, is_default, enabled, endpoint_id)
values
  ('runpod-video', 'runpod', 'video', 1, true, true, null),
  ('runpod-image', 'runpod', 'image', 1, false, true, null)
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- The job lifecycle, as data. Everything that decides a job's state lives in these two tables:
--
--   queued    → submitted | error | cancelled | noop
--   submitted → running | completed | failed | cancelled | timed_out
--   running   → completed | failed | cancelled | timed_out
--
-- terminal: no way out. refund: entering it gives the reservation back (exactly once).
-- Same-state updates are not transitions (see update_job_fields()). transition_job() is the
-- only writer of jobs.status.

create table if not exists public.job_statuses (
  status text primary key,
  terminal boolean not null,
  refund boolean not null default false,
  check (terminal or not refund)
);

insert into public.job_statuses (status, terminal, refund) values
  ('queued',    false, false),
  ('submitted', false, false),
  ('running',   false, false),
  ('completed', true,  false),
  ('failed',    true,  true),
  ('cancelled', true,  true),
  ('timed_out', true,  true),
  ('error',     true,  true),   -- never reached the provider
  ('noop',      true,  true)    -- no provider configured: nothing is generated, nothing is owed
on conflict do nothing;

create table if not exists public.job_transitions (
  from_status text not null references public.job_statuses (status),
  to_status text not null references public.job_statuses (status),
  primary key (from_status, to_status),
  check (from_status <> to_status)
);

insert into public.job_transitions (from_status, to_status) values
  ('queued', 'submitted'), ('queued', 'error'), ('queued', 'cancelled'), ('queued', 'noop'),
  ('submitted', 'running'), ('submitted', 'completed'), ('submitted', 'failed'),
  ('submitted', 'cancelled'), ('submitted', 'timed_out'),
  ('running', 'completed'), ('running', 'failed'), ('running', 'cancelled'), ('running', 'timed_out')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- Jobs. gen_random_uuid() (built in since PostgreSQL 13) where the original used uuid-ossp.

create table if not exists public.jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid,                 -- null for admin jobs
  status text default 'queued',
  payload jsonb,
  result jsonb,
  created_at timestamptz default now()
);

alter table public.jobs
  add column if not exists model text,
  add column if not exists cost_credits integer not null default 0 check (cost_credits >= 0),
  add column if not exists provider text,
  add column if not exists provider_job_id text,
  add column if not exists webhook_token_hash text,
  add column if not exists error jsonb,
  add column if not exists outputs jsonb,
  add column if not exists deadline_at timestamptz,
  add column if not exists updated_at timestamptz default now(),
  add column if not exists finished_at timestamptz,
  -- The RunPod endpoint of the job's model when it was created (null: RUNPOD_ENDPOINT_ID), so
  -- polls, cancels and the sweep keep talking to the endpoint that runs it even if the model is
  -- re-pointed later.
  add column if not exists provider_endpoint_id text,
  -- When retention deleted the job's files (each entry of outputs then has a "deleted_at").
  add column if not exists outputs_deleted_at timestamptz;

-- status ∈ job_statuses. NOT VALID: rows written by the original Worker are not checked, every
-- new or updated row is.
alter table public.jobs drop constraint if exists jobs_status_fkey;
alter table public.jobs add constraint jobs_status_fkey
  foreign key (status) references public.job_statuses (status) not valid;

-- The cron sweep: open jobs, stalest first; and open jobs past their deadline.
create index if not exists jobs_open_updated_idx on public.jobs (updated_at)
  where status in ('queued', 'submitted', 'running');
create index if not exists jobs_open_deadline_idx on public.jobs (deadline_at)
  where status in ('queued', 'submitted', 'running');
-- Listing, newest first with a (created_at, id) cursor: a user's jobs, and all jobs (admin).
create index if not exists jobs_user_list_idx on public.jobs (user_id, created_at desc, id desc);
create index if not exists jobs_list_idx on public.jobs (created_at desc, id desc);
-- Retention: the jobs whose files are still stored, oldest finished first.
create index if not exists jobs_stored_outputs_idx on public.jobs (finished_at)
  where outputs_deleted_at is null and outputs is not null;

-- Every transition, appended (the first event is the creation: from_status null → queued).
create table if not exists public.job_events (
  id bigserial primary key,
  job_id uuid not null references public.jobs (id) on delete cascade,
  from_status text,
  to_status text not null,
  detail jsonb,
  created_at timestamptz not null default now()
);

create index if not exists job_events_job_idx on public.job_events (job_id, id);
-- Retention prunes by age, so a run that finds nothing to prune reads nothing.
create index if not exists job_events_created_idx on public.job_events (created_at);

-- ---------------------------------------------------------------------------------------------
-- Idempotency-Key of POST /jobs: the first response, replayed for 24 h. scope: the user id, or
-- 'admin'. Written only by create_job() (state running) and transition_job() (state done).

create table if not exists public.idempotency_keys (
  scope text not null,
  key text not null check (length(key) between 1 and 255),
  request_hash text not null,
  state text not null default 'running' check (state in ('running', 'done')),
  job_id uuid,
  response_status integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  primary key (scope, key),
  check (state = 'running' or response_status is not null)
);

create index if not exists idempotency_keys_job_idx on public.idempotency_keys (job_id)
  where job_id is not null;
create index if not exists idempotency_keys_created_idx on public.idempotency_keys (created_at);

-- ---------------------------------------------------------------------------------------------
-- Events: what POST /webhooks/* received; event_id is the id it answers.

create table if not exists public.events (
  id bigserial primary key,
  event_id uuid not null default gen_random_uuid(),
  type text not null,
  payload jsonb,
  created_at timestamptz default now()
);

-- The original table lacks event_id: its rows get fresh ids.
alter table public.events add column if not exists event_id uuid not null default gen_random_uuid();
create unique index if not exists events_event_id_key on public.events (event_id);
create index if not exists events_type_created_idx on public.events (type, created_at desc);

-- ---------------------------------------------------------------------------------------------
-- Privileges: money and lifecycle tables are read-only to Supabase clients whatever the
-- policies; jobs are created by create_job only (it takes the credits).

grant select on
  public.models, public.job_statuses, public.job_transitions, public.jobs, public.job_events, public.events
to alphogen_api;
grant insert on public.events to alphogen_api;
grant usage on sequence public.events_id_seq to alphogen_api;

revoke insert, update, delete, truncate on
  public.models, public.job_statuses, public.job_transitions, public.jobs, public.job_events
from anon, authenticated;
revoke all on public.idempotency_keys from anon, authenticated;
revoke all on sequence public.job_events_id_seq from anon, authenticated;

-- Row Level Security. The original SQL let a user insert their own jobs and created the events
-- policy without enabling RLS on events (which left them readable through the Data API).
select public._enable_rls('{public.jobs, public.job_events, public.models, public.events}', 'service_role', 'api_read');
select public._enable_rls('{public.idempotency_keys}', 'service_role');
select public._enable_rls('{public.job_statuses, public.job_transitions}');

drop policy if exists "job_owner_can_insert" on public.jobs;
drop policy if exists "job_owner_can_read" on public.jobs;
create policy "job_owner_can_read" on public.jobs
  for select using (auth.uid() = user_id);
drop policy if exists "job_events_owner_can_read" on public.job_events;
create policy "job_events_owner_can_read" on public.job_events
  for select to authenticated
  using (exists (select 1 from public.jobs j where j.id = job_events.job_id and j.user_id = auth.uid()));
drop policy if exists "models_read_enabled" on public.models;
create policy "models_read_enabled" on public.models
  for select using (enabled);
drop policy if exists "api_insert_events" on public.events;
create policy "api_insert_events" on public.events for insert to alphogen_api with check (true);
drop policy if exists "job_statuses_read" on public.job_statuses;
create policy "job_statuses_read" on public.job_statuses for select using (true);
drop policy if exists "job_transitions_read" on public.job_transitions;
create policy "job_transitions_read" on public.job_transitions for select using (true);
