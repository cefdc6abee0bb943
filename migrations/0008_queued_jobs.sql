-- Providers that answer within the request (OpenAI-compatible) run on the Worker's Cloudflare
-- Queue: POST /jobs leaves the job `queued` and sends a message; the consumer claims it
-- (claim_queued_job in functions/jobs.sql: queued → submitted, once whatever is redelivered).
-- enqueued_at marks such a job: the sweep's "never submitted" rule leaves it to the consumer
-- (its deadline still bounds it).
alter table public.jobs add column if not exists enqueued_at timestamptz;
