ALTER TABLE "sync_runs" DROP CONSTRAINT "sync_runs_user_id_users_id_fk";
