-- Development only: `local-chat`, an OpenAI-compatible chat (provider `openai`) answered by the
-- local generation server's POST /v1/chat/completions (scripts/local-gen/chat.mjs), so a
-- `stream: true` call on scripts/dev streams token by token (docs/openai.md) as it would from
-- OpenAI. OPENAI_API_BASE points at that server (.dev.vars.example). Priced like a language
-- model: 1 credit a call and 1 per 100 tokens it writes, up to max_tokens; `token_ms` is the
-- server's pause before each token.
insert into public.models (id, provider, content_type, is_default, enabled, provider_model, input_schema, pricing)
values ('local-chat', 'openai', 'text', false, true, 'local-chat',
        '{"type": "object", "required": ["prompt"], "additionalProperties": false,
          "properties": {
            "prompt": {"type": "string", "minLength": 1, "maxLength": 4000},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": 4096, "default": 256},
            "token_ms": {"type": "integer", "minimum": 0, "maximum": 2000, "default": 40,
                         "description": "the pause of the local generation server before each token"}}}'::jsonb,
        '{"base": 1, "usage": {"output_tokens": {"per_1000": 10, "at_most": "max_tokens"}}}'::jsonb)
on conflict (id) do nothing;
