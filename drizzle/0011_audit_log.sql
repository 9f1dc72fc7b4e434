CREATE TABLE "audit_log" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"subject" text,
	"rows" integer,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor");--> statement-breakpoint
INSERT INTO "audit_log" ("kind", "actor", "rows", "detail", "created_at")
SELECT 'erasure',
       CASE WHEN "requested_by" = 'retention' THEN 'scheduler' ELSE 'cli:' || "requested_by" END,
       (SELECT coalesce(sum(value::integer), 0)::integer FROM jsonb_each_text("changed")),
       jsonb_build_object('erasure', "kind"::text, 'erasureId', "id", 'changed', "changed"),
       "created_at"
FROM "erasures"
ORDER BY "id";
