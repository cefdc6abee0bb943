-- fal.ai names a model by its endpoint id, which may go on past the app (`fal-ai/flux/dev`,
-- `fal-ai/kling-video/v2/master/text-to-video`): provider_model takes any number of
-- `/`-separated names. The check still keeps it safe to put in a provider's URL path (no
-- segment starts with a dot).

alter table public.models drop constraint if exists models_provider_model_check;
alter table public.models add constraint models_provider_model_check
  check (provider_model ~ '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*(:[A-Za-z0-9]+)?$'
         and length(provider_model) <= 256);
