-- Job webhooks: jobs created with a `webhook_url` call it once they finish (Standard Webhooks,
-- PROTOCOLS.md). One delivery per job (a job finishes once), queued by a trigger in the very
-- transaction that makes the job terminal; the Worker claims, sends and records deliveries
-- and retries on a schedule (migrations/functions/job_webhooks.sql).

create table if not exists public.job_webhook_deliveries (
  id uuid primary key default gen_random_uuid(),  -- the webhook-id header, stable across retries
  job_id uuid not null unique references public.jobs (id) on delete cascade,
  url text not null,
  event_type text not null,                       -- job.<terminal status>
  attempts integer not null default 0,
  next_attempt_at timestamptz,                    -- null once delivered or given up
  last_status integer,                            -- the receiver's HTTP status; 0 = no answer
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now()
);

create index if not exists job_webhook_deliveries_due_idx
  on public.job_webhook_deliveries (next_attempt_at) where next_attempt_at is not null;

grant select on public.job_webhook_deliveries to alphogen_api;
revoke insert, update, delete, truncate on public.job_webhook_deliveries from anon, authenticated;
-- No policies: Supabase clients see nothing; the Worker reads through the functions.
select public._enable_rls('{public.job_webhook_deliveries}');
