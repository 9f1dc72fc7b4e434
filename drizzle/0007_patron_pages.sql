CREATE TABLE "patron_links" (
	"round_id" integer PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patron_links_token_hash_shape" CHECK ("patron_links"."token_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "service_points" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "service_points_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"unit" text NOT NULL,
	"owner_user_id" text NOT NULL,
	"created_by_user_id" text NOT NULL,
	"link_salt" text NOT NULL,
	"token_hash" text NOT NULL,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_points_name_not_blank" CHECK (length(trim("service_points"."name")) > 0),
	CONSTRAINT "service_points_unit_not_blank" CHECK (length(trim("service_points"."unit")) > 0),
	CONSTRAINT "service_points_token_hash_shape" CHECK ("service_points"."token_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "walk_up_answers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "walk_up_answers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"service_point_id" integer NOT NULL,
	"experience" smallint NOT NULL,
	"expectation" smallint NOT NULL,
	"do_better" text,
	"no_longer_need" text,
	"language" text NOT NULL,
	"suspected_spam" boolean DEFAULT false NOT NULL,
	"erased_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "walk_up_answers_experience_range" CHECK ("walk_up_answers"."experience" between 1 and 10),
	CONSTRAINT "walk_up_answers_expectation_range" CHECK ("walk_up_answers"."expectation" between 1 and 10)
);
--> statement-breakpoint
ALTER TABLE "patron_links" ADD CONSTRAINT "patron_links_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "walk_up_answers" ADD CONSTRAINT "walk_up_answers_service_point_id_service_points_id_fk" FOREIGN KEY ("service_point_id") REFERENCES "public"."service_points"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "patron_links_token_hash_key" ON "patron_links" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "service_points_token_hash_key" ON "service_points" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "service_points_active_name_key" ON "service_points" USING btree ("name_key") WHERE "service_points"."retired_at" is null;--> statement-breakpoint
CREATE INDEX "walk_up_answers_point_created_idx" ON "walk_up_answers" USING btree ("service_point_id","created_at");--> statement-breakpoint
CREATE INDEX "walk_up_answers_created_idx" ON "walk_up_answers" USING btree ("created_at");