CREATE TYPE "public"."digest_post_state" AS ENUM('sending', 'posted', 'failed');--> statement-breakpoint
CREATE TYPE "public"."reminder_kind" AS ENUM('interview_due', 'customer_nudge', 'customer_request_again', 'round_expired', 'cadence', 'plan_checkin', 'plan_remeasure');--> statement-breakpoint
CREATE TYPE "public"."reminder_state" AS ENUM('pending', 'sending', 'sent', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "committees" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "committees_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"channel_id" text NOT NULL,
	"units" text[] DEFAULT '{}'::text[] NOT NULL,
	"weekday" smallint DEFAULT 1 NOT NULL,
	"hour" smallint DEFAULT 9 NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"min_group_size" smallint DEFAULT 3 NOT NULL,
	"show_individuals" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by_user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "committees_weekday_range" CHECK ("committees"."weekday" between 1 and 7),
	CONSTRAINT "committees_hour_range" CHECK ("committees"."hour" between 0 and 23),
	CONSTRAINT "committees_min_group_size_range" CHECK ("committees"."min_group_size" between 3 and 50)
);
--> statement-breakpoint
CREATE TABLE "digest_posts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "digest_posts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"committee_id" integer NOT NULL,
	"week" text NOT NULL,
	"state" "digest_post_state" DEFAULT 'sending' NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"claimed_at" timestamp with time zone NOT NULL,
	"claimed_by" text,
	"next_attempt_at" timestamp with time zone,
	"posted_at" timestamp with time zone,
	"channel_id" text,
	"message_ts" text,
	"admin_notified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "digest_posts_week_format" CHECK ("digest_posts"."week" ~ '^[0-9]{4}-W[0-9]{2}$')
);
--> statement-breakpoint
CREATE TABLE "person_settings" (
	"user_id" text PRIMARY KEY NOT NULL,
	"muted_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reminders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"kind" "reminder_kind" NOT NULL,
	"round_id" integer,
	"plan_id" integer,
	"recipient_user_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"state" "reminder_state" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"dedupe_key" text NOT NULL,
	"claimed_at" timestamp with time zone,
	"claimed_by" text,
	"sent_at" timestamp with time zone,
	"message_channel_id" text,
	"message_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reminders_attempts_not_negative" CHECK ("reminders"."attempts" >= 0),
	CONSTRAINT "reminders_sent_has_ts" CHECK (("reminders"."state" = 'sent') = ("reminders"."sent_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "slack_users" ADD COLUMN "dm_channel_id" text;--> statement-breakpoint
ALTER TABLE "digest_posts" ADD CONSTRAINT "digest_posts_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "committees_channel_active_key" ON "committees" USING btree ("channel_id") WHERE "committees"."active";--> statement-breakpoint
CREATE UNIQUE INDEX "digest_posts_committee_week_key" ON "digest_posts" USING btree ("committee_id","week");--> statement-breakpoint
CREATE UNIQUE INDEX "reminders_dedupe_key_key" ON "reminders" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "reminders_pending_due_idx" ON "reminders" USING btree ("due_at") WHERE "reminders"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "reminders_sending_claimed_idx" ON "reminders" USING btree ("claimed_at") WHERE "reminders"."state" = 'sending';--> statement-breakpoint
CREATE INDEX "reminders_round_idx" ON "reminders" USING btree ("round_id");--> statement-breakpoint
CREATE INDEX "rounds_completed_at_idx" ON "rounds" USING btree ("completed_at") WHERE "rounds"."status" = 'completed';