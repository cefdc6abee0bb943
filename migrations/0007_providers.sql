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
