CREATE TABLE "ip_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"cidr" "cidr" NOT NULL,
	"action" text NOT NULL,
	"note" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "ip_rules_action" CHECK ("ip_rules"."action" in ('allow', 'deny')),
	CONSTRAINT "ip_rules_note_length" CHECK ("ip_rules"."note" is null or char_length("ip_rules"."note") between 1 and 200)
);
--> statement-breakpoint
ALTER TABLE "ip_rules" ADD CONSTRAINT "ip_rules_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;