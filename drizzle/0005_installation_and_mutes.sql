CREATE TYPE "public"."installation_state" AS ENUM('active', 'paused');--> statement-breakpoint
CREATE TABLE "slack_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_installation" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"state" "installation_state" DEFAULT 'active' NOT NULL,
	"reason" text,
	"paused_at" timestamp with time zone,
	"resumed_at" timestamp with time zone,
	"checked_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_installation_single_row" CHECK ("slack_installation"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "reminders" ADD COLUMN "muted_from" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "slack_events_received_idx" ON "slack_events" USING btree ("received_at");