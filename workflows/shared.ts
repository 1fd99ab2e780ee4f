/** Names shared by workflows and their clients (API, CLI, worker). No runtime dependencies. */
export const DEFAULT_TASK_QUEUE = 'pcs-suite';

/** Search attributes registered on the embedded dev server so runs can be found in the Temporal UI. */
export const SEARCH_ATTRIBUTES = {
  card: 'PcsCard',
  trigger: 'PcsTrigger',
  status: 'PcsStatus',
} as const;
