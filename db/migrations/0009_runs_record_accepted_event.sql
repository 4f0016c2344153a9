-- sync_runs.event_id: the id Inngest's event API answered for the run's event, so the clean-up can tell a
-- queued run Inngest holds (waiting in its throttle queue) from one whose event never reached it.
-- Runs already pending were sent before ids were recorded: they are marked as accepted, so they keep the
-- long (24-hour) rule instead of being abandoned as unsent on the first clean-up after this migration.
ALTER TABLE "sync_runs" ADD COLUMN "event_id" text;--> statement-breakpoint
UPDATE "sync_runs" SET "event_id" = 'sent-before-event-ids-were-recorded' WHERE "status" IN ('queued', 'running');--> statement-breakpoint
CREATE INDEX "sync_runs_unsent_idx" ON "sync_runs" USING btree ("queued_at") WHERE "sync_runs"."status" = 'queued' and "sync_runs"."event_id" is null;
