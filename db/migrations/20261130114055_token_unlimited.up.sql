-- modify "api_tokens" table
ALTER TABLE "api_tokens" ADD COLUMN "unlimited" boolean NOT NULL DEFAULT false;
