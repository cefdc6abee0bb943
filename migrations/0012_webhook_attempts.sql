-- Job webhook attempts (issue 25): one row per attempt to deliver a job_webhook_deliveries row,
-- so a user can see what their receiver answered, how fast, and when the next retry is due
-- (GET /webhooks/deliveries). Written only by record_job_webhook
-- (migrations/functions/job_webhooks.sql), in the transaction that records the outcome.

create table if not exists public.job_webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references public.job_webhook_deliveries (id) on delete cascade,
  attempt integer not null check (attempt > 0),  -- 1 for the first; job_webhook_deliveries.attempts counts them
  status_code integer not null,                  -- the receiver's HTTP status; 0 = no answer
  latency_ms integer check (latency_ms >= 0),    -- from sending to the answer (or to giving up on one)
  error text,                                    -- null when delivered
  next_attempt_at timestamptz,                   -- the retry this outcome scheduled; null = none
  created_at timestamptz not null default now()
);

create index if not exists job_webhook_attempts_delivery_idx
  on public.job_webhook_attempts (delivery_id, id);
-- GET /webhooks/deliveries pages newest first by (created_at, id).
create index if not exists job_webhook_deliveries_created_idx
  on public.job_webhook_deliveries (created_at desc, id desc);

-- Server-only, like the deliveries: read and written through the functions.
revoke all on public.job_webhook_attempts from anon, authenticated;
select public._enable_rls('{public.job_webhook_attempts}');
