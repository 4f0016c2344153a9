CREATE TABLE "portfolio_values" (
	"user_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"usd" numeric NOT NULL,
	CONSTRAINT "portfolio_values_user_id_at_pk" PRIMARY KEY("user_id","at")
);
--> statement-breakpoint
ALTER TABLE "portfolio_values" ADD CONSTRAINT "portfolio_values_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;