import { useEffect, useState } from 'react';

/** `value` once it has stopped changing for `ms` (compared as JSON, so a new object with the same content is no change). */
export function useDebouncedValue<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value) ?? '';
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
    // The key says when the value changed.
  }, [key, ms]); // eslint-disable-line react-hooks/exhaustive-deps
  return settled;
}
