/** What the home page shows of the user's projects' modules (pure): running work, OutOfDate modules, recent runs. */
import type { Module } from '../../api/types';

export interface Dashboard {
  running: Module[];
  outOfDate: Module[];
  recent: Module[];
}

const when = (m: Module) => m.last_run?.ended_at ?? m.last_run?.started_at ?? '';

export function dashboard(modules: readonly Module[], limit = 8): Dashboard {
  const running = modules
    .filter((m) => m.last_run && !m.last_run.result)
    .sort((a, b) => (b.last_run!.started_at ?? '').localeCompare(a.last_run!.started_at ?? '') || b.last_run!.id - a.last_run!.id);
  const busy = new Set(running.map((m) => m.id));
  const outOfDate = modules
    .filter((m) => m.status === 'OutOfDate' && !busy.has(m.id))
    .sort((a, b) => a.name.localeCompare(b.name));
  const recent = modules
    .filter((m) => m.last_run && m.last_run.result)
    .sort((a, b) => when(b).localeCompare(when(a)) || b.last_run!.id - a.last_run!.id)
    .slice(0, limit);
  return { running, outOfDate: outOfDate.slice(0, limit * 2), recent };
}
