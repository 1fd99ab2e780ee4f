CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`card_id` text NOT NULL,
	`spec` text NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `schedules_card_idx` ON `schedules` (`card_id`);--> statement-breakpoint
ALTER TABLE `cards` ADD `baseline_run_id` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `schedule_id` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `verdict` text;--> statement-breakpoint
CREATE INDEX `runs_schedule_created_idx` ON `runs` (`schedule_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `webhooks` ADD `format` text DEFAULT 'json' NOT NULL;