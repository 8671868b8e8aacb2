-- Usage records of the bedrock-edge proxy (worker/usage.ts): one row per request a valid key
-- made to a model endpoint, written after the answer. Applied by `wrangler d1 migrations apply
-- USAGE_DB` (--local under npm start, --remote for the deployed database).
CREATE TABLE usage (
  id INTEGER PRIMARY KEY,
  -- When the request arrived (ISO 8601, UTC) and its UTC day.
  time TEXT NOT NULL,
  day TEXT NOT NULL,
  request_id TEXT NOT NULL,
  -- The key's name in API_KEYS (for a key of PROXY_API_KEYS, proxy-key- and the first 8 hex digits
  -- of its SHA-256), never the key.
  key_name TEXT NOT NULL,
  -- The public model name, its route, and the deployment that served (or failed) it.
  model TEXT,
  route TEXT,
  deployment INTEGER,
  deployments_tried INTEGER,
  -- The endpoint's path, and whether the answer was streamed.
  endpoint TEXT NOT NULL,
  stream INTEGER NOT NULL DEFAULT 0,
  -- The status the client was told (499: it left first), and the error's code.
  status INTEGER NOT NULL,
  error_code TEXT,
  -- As Bedrock counted them; NULL when it did not say.
  input_tokens INTEGER,
  output_tokens INTEGER,
  -- Streams: until the first chunk went out. Every request: until its last byte did.
  ttft_ms INTEGER,
  duration_ms INTEGER NOT NULL,
  -- Upstream retries (throttling, 5xx, a model waking up), all deployments together.
  retries INTEGER NOT NULL DEFAULT 0
);

-- GET /v1/usage groups by day, key and model from a day on.
CREATE INDEX usage_by_day ON usage (day, key_name, model);
