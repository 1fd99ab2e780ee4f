import { and, count, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type Run, runs, type Schedule, schedules } from '../schema.ts';

export type NewSchedule = typeof schedules.$inferInsert;

export function insertSchedule(db: DrizzleDb, schedule: NewSchedule): Schedule {
  return db.insert(schedules).values(schedule).returning().get();
}

/** A schedule that has not been deleted. */
export function getLiveSchedule(db: DrizzleDb, id: string): Schedule | undefined {
  return db
    .select()
    .from(schedules)
    .where(and(eq(schedules.id, id), isNull(schedules.deletedAt)))
    .get();
}

/** One page of live schedules, newest first, optionally of one card, and how many match in all. */
export function pageSchedules(
  db: DrizzleDb,
  query: { cardId?: string; limit: number; offset: number },
): { items: Schedule[]; total: number } {
  const conditions: SQL[] = [isNull(schedules.deletedAt)];
  if (query.cardId) conditions.push(eq(schedules.cardId, query.cardId));
  const where = and(...conditions);
  const items = db
    .select()
    .from(schedules)
    .where(where)
    .orderBy(desc(schedules.createdAt), desc(sql`rowid`))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  const total = db.select({ n: count() }).from(schedules).where(where).get()?.n ?? 0;
  return { items, total };
}

/** Marks the schedule deleted (its runs keep their schedule id); false when it was not live. */
export function markScheduleDeleted(db: DrizzleDb, id: string, at: number = Date.now()): boolean {
  const res = db
    .update(schedules)
    .set({ deletedAt: at })
    .where(and(eq(schedules.id, id), isNull(schedules.deletedAt)))
    .run();
  return res.changes > 0;
}

/** Forgets a schedule that Temporal never created (no run can refer to it). */
export function removeSchedule(db: DrizzleDb, id: string): void {
  db.delete(schedules).where(eq(schedules.id, id)).run();
}

/** The schedule's most recent runs, newest first. */
export function recentRunsOfSchedule(db: DrizzleDb, scheduleId: string, limit: number): Run[] {
  return db
    .select()
    .from(runs)
    .where(eq(runs.scheduleId, scheduleId))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(limit)
    .all();
}
