-- Holdings and the hour's history row are rewritten in place by every sync whose amounts moved. Free
-- room on each page lets PostgreSQL keep the new row version on the same page without touching any
-- index (a HOT update), and prune the old versions as it goes, without waiting for a vacuum.
-- holdings is small (current amounts only), so half-full pages cost little; balance_history grows
-- for ever and only its current hour is rewritten, so it keeps a fifth free.
-- Applies to pages written from now on; drizzle-kit does not model storage parameters, hence this file.
ALTER TABLE "holdings" SET (fillfactor = 50);--> statement-breakpoint
ALTER TABLE "balance_history" SET (fillfactor = 80);
