-- Development only: one model per content type, each on its endpoint of the local generation
-- server (scripts/local-gen), which scripts/dev starts when RUNPOD_API_BASE points at it
-- (.dev.vars.example). scripts/dev applies migrations/dev/ to its own database only, never to
-- a Supabase project (scripts/migrate.mjs --dev). Idempotent.

-- Their inputs and prices are dev/0002's.

insert into public.models (id, provider, content_type, is_default, enabled, endpoint_id)
values
  ('local-text', 'runpod', 'text', false, true, 'local-text'),
  ('local-image', 'runpod', 'image', false, true, 'local-image'),
  ('local-audio', 'runpod', 'audio', false, true, 'local-audio'),
  ('local-video', 'runpod', 'video', false, true, 'local-video')
on conflict (id) do nothing;
