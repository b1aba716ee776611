/** Praise in SQLite: a JSON document per praise, with its instant and team as columns for the counts. */
import type Database from 'better-sqlite3';
import {
  PRAISE_TEAMS,
  type Praise,
  type PraiseCounts,
  type PraiseStore,
  type PraiseTeam,
} from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { iso, ms, withDates } from './rows.js';

const DEFAULT_LIMIT = 100;

export function praiseOps(db: Database.Database): Sync<PraiseStore> {
  const s = {
    add: db.prepare<[{ id: string; at: number; team: string; doc: string }]>(
      'INSERT INTO praise (id, at, team, doc) VALUES (@id, @at, @team, @doc) ON CONFLICT (id) DO NOTHING',
    ),
    list: db
      .prepare<[number, number, number], string>(
        'SELECT doc FROM praise WHERE at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?',
      )
      .pluck(),
    count: db.prepare<[number, number], { team: string; n: number }>(
      'SELECT team, count(*) AS n FROM praise WHERE at >= ? AND at < ? GROUP BY team',
    ),
  };

  return {
    addPraise(praise) {
      s.add.run({
        id: praise.id,
        at: ms(praise.at),
        team: praise.team,
        doc: JSON.stringify({ ...praise, at: iso(praise.at) }),
      });
    },

    listPraise(period, limit = DEFAULT_LIMIT) {
      return s.list.all(ms(period.from), ms(period.to), limit).map((doc) => withDates<Praise>(doc, 'praise', ['at']));
    },

    countPraise(period) {
      const counts: PraiseCounts = { total: 0, byTeam: {} };
      for (const { team, n } of s.count.all(ms(period.from), ms(period.to))) {
        counts.total += n;
        if ((PRAISE_TEAMS as readonly string[]).includes(team)) counts.byTeam[team as PraiseTeam] = n;
      }
      return counts;
    },
  };
}
