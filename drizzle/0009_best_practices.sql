CREATE TABLE "best_practices" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "best_practices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"author_user_id" text NOT NULL,
	"unit" text NOT NULL,
	"service" text NOT NULL,
	"what_you_do" text NOT NULL,
	"why_it_works" text NOT NULL,
	"source_view_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	CONSTRAINT "best_practices_unit_not_blank" CHECK (length(trim("best_practices"."unit")) > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "best_practices_source_view_id_key" ON "best_practices" USING btree ("source_view_id");--> statement-breakpoint
CREATE INDEX "best_practices_unit_created_idx" ON "best_practices" USING btree (lower("unit"),"created_at");--> statement-breakpoint
CREATE INDEX "best_practices_author_idx" ON "best_practices" USING btree ("author_user_id");