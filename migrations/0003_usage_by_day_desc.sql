-- GET /v1/usage (worker/usage.ts) pages groups newest day first: ORDER BY day DESC, key_name, model.
-- usage_by_day (0001) cannot be walked in that mixed order, so SQLite sorted every row since
-- `since` in a temporary B-tree before LIMIT took a page: each page read the whole table since
-- then (amplify48b #1). This index is in the page's own order. Applied by `wrangler d1 migrations
-- apply USAGE_DB` (--local under npm start, --remote for the deployed database).
CREATE INDEX usage_by_day_desc ON usage (day DESC, key_name, model);
