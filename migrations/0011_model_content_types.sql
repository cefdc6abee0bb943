-- Models may also make audio and text (0002 allowed video and image only). Idempotent.

alter table public.models drop constraint if exists models_content_type_check;
alter table public.models add constraint models_content_type_check
  check (content_type in ('video', 'image', 'audio', 'text'));
