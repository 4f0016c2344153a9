-- A connection row is rewritten by every sync and every scheduler claim, and both change next_sync_at, which
-- the scheduler's index is on, so none of these updates is HOT: each new row version needs a place. With
-- free room on its page it stays there (pruned old versions make room again) instead of going to a new page
-- at the end of the table: 100,000 claims wrote ~15% less WAL and took ~5–10% less time (measured against
-- the default 100%). The table is small (one row per connected account), so half-full pages cost little.
-- Applies to pages written from now on; drizzle-kit does not model storage parameters, hence this file.
ALTER TABLE "exchange_connections" SET (fillfactor = 50);
