import { createHealthActivities } from './health.ts';

export type ActivityDeps = Record<string, never>;

export function createActivities(_deps: ActivityDeps) {
  return {
    ...createHealthActivities(),
  };
}
