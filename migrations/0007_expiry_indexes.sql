CREATE INDEX "one_time_tokens_expires_at_idx" ON "one_time_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "workspace_invitations_unaccepted_expires_at_idx" ON "workspace_invitations" USING btree ("expires_at") WHERE "workspace_invitations"."accepted_at" is null;