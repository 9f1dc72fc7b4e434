ALTER TYPE "public"."reminder_kind" ADD VALUE 'service_point_weekly';--> statement-breakpoint
ALTER TABLE "reminders" ADD COLUMN "service_point_id" integer;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_service_point_id_service_points_id_fk" FOREIGN KEY ("service_point_id") REFERENCES "public"."service_points"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "walk_up_answers_unerased_created_idx" ON "walk_up_answers" USING btree ("created_at") WHERE "walk_up_answers"."erased_at" is null;