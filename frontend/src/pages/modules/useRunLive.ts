import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { runQueryKey } from '../../api/hooks/useRun';
import type { Run } from '../../api/types';
import type { LiveEvent } from '../../live/socket';
import { useTopic } from '../../live/useTopic';
import { applyRunEvent, recordIsBehind, runLiveFromRun, type RunLiveState } from './live';

/**
 * A run as it goes: the record, then the events of topic `run:<id>` on top (events that arrive before
 * the record are held and applied after it). When the run finishes, or events were missed, the record
 * is fetched again (it then carries the scripts, datasets and parameters).
 */
export function useRunLive(id: number, run: Run | undefined): RunLiveState | null {
  const queryClient = useQueryClient();
  const [state, setState] = useState<RunLiveState | null>(null);
  const early = useRef<LiveEvent[]>([]);
  const refetch = () => void queryClient.invalidateQueries({ queryKey: runQueryKey(id) });

  const ready = useRef(false);
  // The record the page holds, and the paths it was fetched again for (once each: a step's record
  // is fetched again when it starts, or when an event names a step the record does not list).
  const record = useRef(run);
  record.current = run;
  const asked = useRef(new Set<string>());
  const behind = (held: Run, event: LiveEvent) => {
    if (!recordIsBehind(held, event)) return;
    const key = `${event.type === 'stage' ? 'stage' : 'any'}|${String((event.data as { path?: unknown }).path)}`;
    if (asked.current.has(key)) return;
    asked.current.add(key);
    refetch();
  };

  useEffect(() => {
    if (!run) return;
    const held = early.current;
    early.current = [];
    ready.current = true;
    setState((previous) => {
      // Steps keep what only live events say (rate, elapsed, the min / max trend, a newer partial result).
      let next = runLiveFromRun(run, previous);
      // Live lines the record does not have yet stay (the record is the truth for the rest).
      if (previous && !run.result) for (const line of previous.log) next = applyRunEvent(next, { topic: '', seq: 0, type: 'log', data: line });
      for (const event of held) next = applyRunEvent(next, event);
      return next;
    });
    // Events that came before this record may be newer than it.
    for (const event of held) behind(run, event);
  }, [run]);

  useTopic(
    Number.isFinite(id) ? `run:${id}` : null,
    (event) => {
      if (!ready.current) early.current.push(event);
      else setState((current) => (current ? applyRunEvent(current, event) : current));
      if (event.type === 'finished') refetch();
      else if (record.current) behind(record.current, event);
    },
    refetch,
  );
  return state;
}
