import { dashboardRunUrl } from '../../../core/run/links.ts';
import type { AppDeps } from '../../app.ts';

export type RunLinks = { self: string; events: string; dashboard: string; temporal: string };

/** Where a run can be followed: this API, its event stream, the dashboard and the Temporal Web UI. */
export function runLinks(deps: Pick<AppDeps, 'http' | 'temporal'>, runId: string): RunLinks {
  const id = encodeURIComponent(runId);
  const self = `${deps.http.publicUrl}/runs/${id}`;
  const { uiUrl, namespace } = deps.temporal;
  return {
    self,
    events: `${self}/events`,
    dashboard: dashboardRunUrl(deps.http.publicUrl, runId),
    temporal: `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${id}`,
  };
}
