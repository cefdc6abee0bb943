-- Providers beyond RunPod: a model names what its provider calls it. For Replicate that is
-- `owner/name` (the latest version), `owner/name:<version>` or a bare version id; null means
-- the model's own id. The check keeps it safe to put in a provider's URL path.

alter table public.models add column if not exists provider_model text
  check (provider_model ~ '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?(:[A-Za-z0-9]+)?$'
         and length(provider_model) <= 256);
