-- Providers beyond RunPod: a model names what its provider calls it. For Replicate that is
-- `owner/name` (the latest version), `owner/name:<version>` or a bare version id; null means
-- the model's own id. The check keeps it safe to put in a provider's URL path.

alter table public.models add column if not exists provider_model text
  check (provider_model ~ '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?(:[A-Za-z0-9]+)?$'
         and length(provider_model) <= 256);

-- A job shows what its model makes (text, image, audio, video), as the model said when the job
-- was created (jobs_capture_model in functions/jobs.sql fills it in).
alter table public.jobs add column if not exists content_type text;
update public.jobs j set content_type = m.content_type
from public.models m where m.id = j.model and j.content_type is null;

-- Failover: a model may name a fallback model of the same content type (functions/models.sql
-- keeps that true). A submission its provider refuses for infrastructure reasons (network,
-- timeout, 429, 5xx) goes to the fallback, under the same reservation and the price of the
-- model the caller chose; jobs.run_model records which model ran the job.
alter table public.models add column if not exists fallback_model text references public.models (id);
alter table public.jobs add column if not exists run_model text;
