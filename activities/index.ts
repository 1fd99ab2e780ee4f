import { createHealthActivities } from './health.ts';
import { createScheduleActivities } from './schedule/prepare.ts';
import { createSuiteActivities, type SuiteDeps } from './suite/index.ts';

export type ActivityDeps = SuiteDeps;

/** Every activity the worker registers; dependencies come in, nothing reads globals. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(),
    ...createSuiteActivities(deps),
    ...createScheduleActivities(deps),
  };
}
