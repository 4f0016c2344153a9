CREATE TABLE "connection_values" (
	"connection_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"usd" numeric NOT NULL,
	CONSTRAINT "connection_values_connection_id_at_pk" PRIMARY KEY("connection_id","at")
);
--> statement-breakpoint
ALTER TABLE "connection_values" ADD CONSTRAINT "connection_values_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;