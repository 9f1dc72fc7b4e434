CREATE TABLE "home_pictures" (
	"user_id" text PRIMARY KEY NOT NULL,
	"picture_hash" text NOT NULL,
	"file_id" text NOT NULL,
	"permalink" text,
	"uploaded_at" timestamp with time zone NOT NULL
);
