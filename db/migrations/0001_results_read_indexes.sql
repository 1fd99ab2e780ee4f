CREATE INDEX `results_run_id_idx` ON `results` (`run_id`,`id`);--> statement-breakpoint
CREATE INDEX `results_run_model_status_idx` ON `results` (`run_id`,`model`,`status`);