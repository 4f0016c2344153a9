CREATE TABLE "asset_prices" (
	"asset" text NOT NULL,
	"exchange_id" text NOT NULL,
	"usd" numeric NOT NULL,
	"pair" text NOT NULL,
	"priced_at" timestamp with time zone NOT NULL,
	CONSTRAINT "asset_prices_asset_exchange_id_pk" PRIMARY KEY("asset","exchange_id"),
	CONSTRAINT "asset_prices_positive" CHECK ("asset_prices"."usd" > 0)
);
--> statement-breakpoint
CREATE TABLE "price_history" (
	"asset" text NOT NULL,
	"exchange_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"usd" numeric NOT NULL,
	CONSTRAINT "price_history_asset_exchange_id_hour_pk" PRIMARY KEY("asset","exchange_id","hour"),
	CONSTRAINT "price_history_positive" CHECK ("price_history"."usd" > 0)
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "display_currency" text DEFAULT 'USD' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_display_currency_values" CHECK ("users"."display_currency" in ('USD', 'EUR', 'GBP', 'CHF', 'JPY'));