export type HealthActivities = ReturnType<typeof createHealthActivities>;

export function createHealthActivities() {
  return {
    async ping(): Promise<{ workerPid: number }> {
      return { workerPid: process.pid };
    },
  };
}
