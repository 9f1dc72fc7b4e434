CREATE TYPE "public"."round_status" AS ENUM('awaiting_customer', 'completed', 'expired', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."customer_segment" AS ENUM('core', 'regular', 'occasional', 'should_be');--> statement-breakpoint
CREATE TABLE "round_responses" (
	"round_id" integer PRIMARY KEY NOT NULL,
	"customer_score" smallint NOT NULL,
	"need_from_me" text NOT NULL,
	"why_depend_on_me" text NOT NULL,
	"not_adequately_providing" text NOT NULL,
	"concentrate_on" text NOT NULL,
	"no_longer_need" text NOT NULL,
	"additional_comments" text,
	"answered_by_user_id" text NOT NULL,
	"recorded_on_behalf" boolean NOT NULL,
	"source_view_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "round_responses_customer_score_range" CHECK ("round_responses"."customer_score" between 1 and 10)
);
--> statement-breakpoint
CREATE TABLE "rounds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "rounds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"staff_user_id" text NOT NULL,
	"customer_user_id" text,
	"customer_name" text NOT NULL,
	"customer_key" text NOT NULL,
	"service" text NOT NULL,
	"service_key" text NOT NULL,
	"segment" "customer_segment" NOT NULL,
	"unit" text NOT NULL,
	"self_score" smallint NOT NULL,
	"self_note" text,
	"interview_on" date NOT NULL,
	"status" "round_status" DEFAULT 'awaiting_customer' NOT NULL,
	"source_view_id" text NOT NULL,
	"request_channel_id" text,
	"request_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "rounds_self_score_range" CHECK ("rounds"."self_score" between 1 and 10),
	CONSTRAINT "rounds_not_own_customer" CHECK ("rounds"."customer_user_id" is distinct from "rounds"."staff_user_id"),
	CONSTRAINT "rounds_service_not_blank" CHECK (length(trim("rounds"."service")) > 0),
	CONSTRAINT "rounds_customer_name_not_blank" CHECK (length(trim("rounds"."customer_name")) > 0),
	CONSTRAINT "rounds_completed_at_matches_status" CHECK (("rounds"."status" = 'completed') = ("rounds"."completed_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "slack_users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"deleted" boolean NOT NULL,
	"tz" text,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_profiles" (
	"user_id" text PRIMARY KEY NOT NULL,
	"unit" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "round_responses" ADD CONSTRAINT "round_responses_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_staff_user_id_staff_profiles_user_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_profiles"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "round_responses_source_view_id_key" ON "round_responses" USING btree ("source_view_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_source_view_id_key" ON "rounds" USING btree ("source_view_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_one_open_per_customer_service" ON "rounds" USING btree ("staff_user_id","customer_key","service_key") WHERE "rounds"."status" = 'awaiting_customer';--> statement-breakpoint
CREATE INDEX "rounds_staff_created_idx" ON "rounds" USING btree ("staff_user_id","created_at");--> statement-breakpoint
CREATE INDEX "rounds_status_idx" ON "rounds" USING btree ("status");