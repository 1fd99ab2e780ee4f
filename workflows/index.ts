export { healthCheck } from './health.ts';
export { scheduledRun } from './scheduled-run.ts';
export { suiteRun } from './suite-run.ts';
