import { apiOrError } from '$lib/server/api.ts';
import type { CardSummary, Page, Run } from '$lib/types.ts';
import type { PageServerLoad } from './$types';

/** Recent runs, and for each card the pass rates of its finished runs, oldest first. */
export const load = (async ({ cookies }) => {
  const [runs, cards] = await Promise.all([
    apiOrError<Page<Run>>(cookies, '/runs?limit=200'),
    apiOrError<Page<CardSummary>>(cookies, '/cards?limit=200'),
  ]);
  return {
    recent: runs.items.slice(0, 20),
    trends: passRateTrends(runs.items, cards.items),
    totalRuns: runs.total,
  };
}) satisfies PageServerLoad;

function passRateTrends(runs: Run[], cards: CardSummary[]) {
  return cards.map((card) => {
    const rates = runs
      .filter((r) => r.cardId === card.id && r.summary !== null && r.status === 'completed')
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => r.summary?.passRate ?? 0)
      .slice(-20);
    return { card, rates };
  });
}
