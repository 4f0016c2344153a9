CREATE TABLE "activity_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"external_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"asset" text NOT NULL,
	"amount" numeric NOT NULL,
	"counter_asset" text,
	"counter_amount" numeric,
	"price" numeric,
	"fee_asset" text,
	"fee_amount" numeric,
	"status" text DEFAULT 'ok' NOT NULL,
	"network" text,
	"tx_hash" text,
	"note" text,
	"stream" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_entries_kind_values" CHECK ("activity_entries"."kind" in ('trade', 'deposit', 'withdrawal', 'fee', 'reward', 'transfer', 'convert', 'other')),
	CONSTRAINT "activity_entries_status_values" CHECK ("activity_entries"."status" in ('ok', 'pending', 'failed', 'canceled'))
);
--> statement-breakpoint
CREATE TABLE "history_imports" (
	"connection_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"state" text DEFAULT 'idle' NOT NULL,
	"phase" text DEFAULT 'backfill' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_error" text,
	"next_import_at" timestamp with time zone,
	"complete_history" boolean DEFAULT false NOT NULL,
	"limits" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "history_imports_state_values" CHECK ("history_imports"."state" in ('idle', 'queued', 'running', 'succeeded', 'failed')),
	CONSTRAINT "history_imports_phase_values" CHECK ("history_imports"."phase" in ('backfill', 'incremental'))
);
--> statement-breakpoint
CREATE TABLE "history_streams" (
	"connection_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"stream" text NOT NULL,
	"source" text DEFAULT 'default' NOT NULL,
	"cursor" jsonb,
	"backfilled" boolean DEFAULT false NOT NULL,
	"covered_from" timestamp with time zone,
	"entries" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "history_streams_connection_id_stream_pk" PRIMARY KEY("connection_id","stream")
);
--> statement-breakpoint
ALTER TABLE "activity_entries" ADD CONSTRAINT "activity_entries_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_entries" ADD CONSTRAINT "activity_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "history_imports" ADD CONSTRAINT "history_imports_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "history_imports" ADD CONSTRAINT "history_imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "history_streams" ADD CONSTRAINT "history_streams_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "history_streams" ADD CONSTRAINT "history_streams_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activity_entries_external_key" ON "activity_entries" USING btree ("connection_id","kind","external_id");--> statement-breakpoint
CREATE INDEX "activity_entries_user_time_idx" ON "activity_entries" USING btree ("user_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "activity_entries_connection_asset_idx" ON "activity_entries" USING btree ("connection_id","asset");--> statement-breakpoint
CREATE INDEX "history_imports_due_idx" ON "history_imports" USING btree ("next_import_at");--> statement-breakpoint
CREATE INDEX "history_streams_user_idx" ON "history_streams" USING btree ("user_id");