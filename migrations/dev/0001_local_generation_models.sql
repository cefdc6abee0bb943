-- Development only: one model per content type, each on its endpoint of the local generation
-- server (scripts/local-gen), which scripts/dev starts when RUNPOD_API_BASE points at it
-- (.dev.vars.example). scripts/dev applies migrations/dev/ to its own database only, never to
-- a Supabase project (scripts/migrate.mjs --dev). Idempotent.

insert into public.models (id, provider, content_type, cost_credits, is_default, enabled, endpoint_id)
values
  ('local-text', 'runpod', 'text', 1, false, true, 'local-text'),
  ('local-image', 'runpod', 'image', 1, false, true, 'local-image'),
  ('local-audio', 'runpod', 'audio', 1, false, true, 'local-audio'),
  ('local-video', 'runpod', 'video', 2, false, true, 'local-video')
on conflict (id) do nothing;
