/** The run's page in the dashboard, which the API serves under /ui. */
export function dashboardRunUrl(publicUrl: string, runId: string): string {
  return `${publicUrl}/ui/runs/${encodeURIComponent(runId)}`;
}
