CREATE TYPE "public"."plan_outcome" AS ENUM('improved', 'no_change', 'worse');--> statement-breakpoint
CREATE TYPE "public"."plan_state" AS ENUM('awaiting_plan', 'active', 'closed');--> statement-breakpoint
CREATE TABLE "action_plans" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "action_plans_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"staff_user_id" text NOT NULL,
	"manager_user_id" text NOT NULL,
	"round_id" integer,
	"channel_id" text NOT NULL,
	"thread_ts" text NOT NULL,
	"state" "plan_state" DEFAULT 'awaiting_plan' NOT NULL,
	"strengths" text,
	"improvements" text,
	"success_measure" text,
	"checkin_every_days" integer,
	"remeasure_on" date,
	"shared_customer_answers" boolean DEFAULT false NOT NULL,
	"plan_message_ts" text,
	"remeasure_round_id" integer,
	"outcome" "plan_outcome",
	"outcome_note" text,
	"source_view_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"written_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "action_plans_checkin_range" CHECK ("action_plans"."checkin_every_days" is null or "action_plans"."checkin_every_days" between 1 and 90),
	CONSTRAINT "action_plans_closed_has_outcome" CHECK (("action_plans"."state" = 'closed') = ("action_plans"."outcome" is not null))
);
--> statement-breakpoint
CREATE TABLE "plan_notes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "plan_notes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"plan_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"text" text NOT NULL,
	"source_view_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan_steps" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "plan_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"plan_id" integer NOT NULL,
	"position" smallint NOT NULL,
	"text" text NOT NULL,
	"done_at" timestamp with time zone,
	"done_by_user_id" text,
	CONSTRAINT "plan_steps_text_not_blank" CHECK (length(trim("plan_steps"."text")) > 0)
);
--> statement-breakpoint
ALTER TABLE "action_plans" ADD CONSTRAINT "action_plans_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_plans" ADD CONSTRAINT "action_plans_remeasure_round_id_rounds_id_fk" FOREIGN KEY ("remeasure_round_id") REFERENCES "public"."rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_notes" ADD CONSTRAINT "plan_notes_plan_id_action_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."action_plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_steps" ADD CONSTRAINT "plan_steps_plan_id_action_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."action_plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "action_plans_thread_key" ON "action_plans" USING btree ("channel_id","thread_ts");--> statement-breakpoint
CREATE UNIQUE INDEX "action_plans_source_view_id_key" ON "action_plans" USING btree ("source_view_id");--> statement-breakpoint
CREATE UNIQUE INDEX "action_plans_remeasure_round_key" ON "action_plans" USING btree ("remeasure_round_id");--> statement-breakpoint
CREATE INDEX "action_plans_staff_idx" ON "action_plans" USING btree ("staff_user_id");--> statement-breakpoint
CREATE INDEX "action_plans_manager_idx" ON "action_plans" USING btree ("manager_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_notes_source_view_id_key" ON "plan_notes" USING btree ("source_view_id");--> statement-breakpoint
CREATE INDEX "plan_notes_plan_idx" ON "plan_notes" USING btree ("plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_steps_plan_position_key" ON "plan_steps" USING btree ("plan_id","position");--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_plan_id_action_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."action_plans"("id") ON DELETE cascade ON UPDATE no action;