CREATE TYPE "public"."erasure_kind" AS ENUM('person', 'outside_customer', 'retention');--> statement-breakpoint
CREATE TABLE "erasures" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "erasures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"kind" "erasure_kind" NOT NULL,
	"requested_by" text NOT NULL,
	"changed" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plan_notes" ALTER COLUMN "text" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "round_responses" ALTER COLUMN "need_from_me" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "round_responses" ALTER COLUMN "why_depend_on_me" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "round_responses" ALTER COLUMN "not_adequately_providing" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "round_responses" ALTER COLUMN "concentrate_on" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "round_responses" ALTER COLUMN "no_longer_need" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "plan_notes" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "round_responses" ADD COLUMN "share_with_manager" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "round_responses" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "reminders_pending_recipient_idx" ON "reminders" USING btree ("recipient_user_id") WHERE "reminders"."state" = 'pending';