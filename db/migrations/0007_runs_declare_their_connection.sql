-- sync_runs.connection_id declares its foreign key again (ON DELETE CASCADE), replacing migration 0005's
-- convention (every insert locking its connection, a trigger deleting the runs of deleted connections): the
-- database now refuses a run for a missing connection whoever inserts it, and deletes a connection's runs
-- with it, also when the connection goes with its user. user_id gets no key of its own (see db/schema.ts).
-- Runs the trigger convention may have missed would fail the key's validation: they are deleted first.
DELETE FROM "sync_runs" r WHERE NOT EXISTS (SELECT 1 FROM "exchange_connections" c WHERE c."id" = r."connection_id");--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
DROP TRIGGER "exchange_connections_delete_runs" ON "exchange_connections";--> statement-breakpoint
DROP FUNCTION "delete_runs_of_deleted_connections"();
