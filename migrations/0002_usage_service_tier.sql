-- The service tier that served each request (worker/usage.ts), as its answer said it, in OpenAI's
-- words: default, flex, priority, or scale for Bedrock's reserved tier; NULL when it said none
-- (Bedrock names a tier on the converse route only, and not for every model). Applied by `wrangler
-- d1 migrations apply USAGE_DB --remote`. Until it is, the proxy writes its rows without the tier.
ALTER TABLE usage ADD COLUMN service_tier TEXT;
