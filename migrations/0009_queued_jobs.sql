-- Providers that answer within the request (OpenAI-compatible) run on the Worker's Cloudflare
-- Queue: POST /jobs leaves the job `queued` and sends a message; the consumer claims it
-- (claim_queued_job in functions/jobs.sql: queued → submitted, once whatever is redelivered).
-- enqueued_at marks such a job: the sweep's "never submitted" rule leaves it to the consumer
-- (its deadline still bounds it).
alter table public.jobs add column if not exists enqueued_at timestamptz;

-- Retries: a generation its provider reports failed runs again, up to its model's max_attempts
-- (retry_job in functions/jobs.sql), before the job fails and is refunded. A retried job goes
-- back to queued, on the Queue; jobs.attempts counts its submissions.
alter table public.models add column if not exists max_attempts integer not null default 1
  check (max_attempts between 1 and 10);
alter table public.jobs add column if not exists attempts integer not null default 1;
insert into public.job_transitions (from_status, to_status) values ('submitted', 'queued'), ('running', 'queued')
on conflict do nothing;
