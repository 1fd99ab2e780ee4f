export { healthCheck } from './health.ts';
export { suiteRun } from './suite-run.ts';
