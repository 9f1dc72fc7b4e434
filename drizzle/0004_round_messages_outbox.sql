ALTER TYPE "public"."reminder_kind" ADD VALUE 'customer_request';--> statement-breakpoint
ALTER TYPE "public"."reminder_kind" ADD VALUE 'round_result';