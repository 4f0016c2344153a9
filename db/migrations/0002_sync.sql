CREATE TABLE "balance_history" (
	"connection_id" uuid NOT NULL,
	"asset" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"total" numeric NOT NULL,
	CONSTRAINT "balance_history_connection_id_asset_hour_pk" PRIMARY KEY("connection_id","asset","hour")
);
--> statement-breakpoint
CREATE TABLE "holdings" (
	"connection_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"asset" text NOT NULL,
	"wallet" text NOT NULL,
	"free" numeric NOT NULL,
	"used" numeric NOT NULL,
	"total" numeric NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "holdings_connection_id_asset_wallet_pk" PRIMARY KEY("connection_id","asset","wallet")
);
--> statement-breakpoint
CREATE TABLE "portfolios" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"assets_count" integer,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error_kind" text,
	"error" text,
	CONSTRAINT "sync_runs_status_values" CHECK ("sync_runs"."status" in ('queued', 'running', 'succeeded', 'failed', 'stale')),
	CONSTRAINT "sync_runs_trigger_values" CHECK ("sync_runs"."trigger" in ('connect', 'manual', 'scheduled', 'sync_all'))
);
--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "portfolio_id" uuid NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "sandbox" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "permissions" jsonb;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "blocked_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "last_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "last_success_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "auto_sync" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "sync_interval_seconds" integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "next_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "disconnected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "balance_history" ADD CONSTRAINT "balance_history_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holdings" ADD CONSTRAINT "holdings_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holdings" ADD CONSTRAINT "holdings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portfolios" ADD CONSTRAINT "portfolios_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "holdings_user_idx" ON "holdings" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "portfolios_user_idx" ON "portfolios" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "portfolios_one_default_per_user" ON "portfolios" USING btree ("user_id") WHERE "portfolios"."is_default";--> statement-breakpoint
CREATE INDEX "sync_runs_connection_idx" ON "sync_runs" USING btree ("connection_id","queued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_pending_per_connection" ON "sync_runs" USING btree ("connection_id") WHERE "sync_runs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "sync_runs_running_idx" ON "sync_runs" USING btree ("started_at") WHERE "sync_runs"."status" = 'running';--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD CONSTRAINT "exchange_connections_portfolio_id_portfolios_id_fk" FOREIGN KEY ("portfolio_id") REFERENCES "public"."portfolios"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exchange_connections_due_idx" ON "exchange_connections" USING btree ("next_sync_at") WHERE "exchange_connections"."auto_sync" and "exchange_connections"."status" not in ('needs_reauth', 'disabled') and "exchange_connections"."disconnected_at" is null;--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD CONSTRAINT "exchange_connections_interval_range" CHECK ("exchange_connections"."sync_interval_seconds" between 60 and 86400);--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD CONSTRAINT "exchange_connections_status_values" CHECK ("exchange_connections"."status" in ('active', 'needs_reauth', 'rate_limited', 'error', 'disabled'));