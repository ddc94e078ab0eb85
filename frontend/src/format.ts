/** "modeler" → "Modeler"; "" → "". */
export function capitalize(value: string | null | undefined): string {
  if (!value) return '';
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** Full name when set, else the username. */
export function displayName(user: { full_name?: string | null; username: string }): string {
  const full = user.full_name?.trim();
  return full ? full : user.username;
}

const HEALTH_LABELS: Record<string, string> = {
  app_db: 'Application database',
  workspace_db: 'Workspace database',
  redis: 'Redis',
  worker: 'Worker',
};

export function healthCheckLabel(name: string): string {
  return HEALTH_LABELS[name] ?? capitalize(name.replace(/_/g, ' '));
}

/** Known checks first in a fixed order, then any others alphabetically. */
export function orderHealthChecks(names: string[]): string[] {
  const known = Object.keys(HEALTH_LABELS);
  return [...names].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a.localeCompare(b);
  });
}
