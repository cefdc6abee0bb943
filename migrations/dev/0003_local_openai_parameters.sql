-- Development only: the parameters OpenAI's client libraries send to /v1 (docs/openai.md)
-- declared on the local models that answer them, so the SDKs work against scripts/dev: a
-- speech call's `voice` (its clients require one) and a chat's `max_tokens`. The local
-- generation server ignores both; neither changes a price.
update public.models m
set input_schema = jsonb_set(m.input_schema, '{properties,voice}',
      '{"type": "string", "enum": ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage",
                                   "shimmer", "verse"], "default": "alloy"}'::jsonb),
    revision = m.revision + 1
where m.id = 'local-audio' and not (m.input_schema->'properties' ? 'voice');

update public.models m
set input_schema = jsonb_set(m.input_schema, '{properties,max_tokens}',
      '{"type": "integer", "minimum": 1, "maximum": 4096}'::jsonb),
    revision = m.revision + 1
where m.id = 'local-text' and not (m.input_schema->'properties' ? 'max_tokens');
