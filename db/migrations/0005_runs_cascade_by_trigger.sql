-- sync_runs.connection_id loses its declared foreign key: PostgreSQL checks one with a query per inserted
-- row, and the scheduler inserts a run for every due connection (13–15% of a 100,000-run claim). The rule
-- still holds: every insert into sync_runs selects its connection from exchange_connections and locks it,
-- so a connection deleted at the same moment either waits for the insert to commit or yields no run; and
-- this statement-level trigger deletes the runs of deleted connections in one statement, as
-- ON DELETE CASCADE did (also when the connections go with their user).
ALTER TABLE "sync_runs" DROP CONSTRAINT "sync_runs_connection_id_exchange_connections_id_fk";--> statement-breakpoint
CREATE FUNCTION "delete_runs_of_deleted_connections"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "sync_runs" r USING "deleted_connections" d WHERE r."connection_id" = d."id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "exchange_connections_delete_runs" AFTER DELETE ON "exchange_connections"
  REFERENCING OLD TABLE AS "deleted_connections"
  FOR EACH STATEMENT EXECUTE FUNCTION "delete_runs_of_deleted_connections"();
