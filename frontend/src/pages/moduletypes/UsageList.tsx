import { Link } from 'react-router-dom';
import type { UsedBy } from '../../api/types';

/** "Used by" lists: modules and composite module type versions. */
export function UsageList({ used, testId = 'usage-list' }: { used: UsedBy; testId?: string }) {
  if (used.modules.length === 0 && used.composites.length === 0) {
    return <p className="muted">Nothing uses it.</p>;
  }
  return (
    <div className="mt-usage" data-testid={testId}>
      {used.modules.length > 0 && (
        <>
          <h3>Modules</h3>
          <ul>
            {used.modules.map((m) => (
              <li key={`m${m.id}`}>
                <Link to={`/modules/${m.id}`}>{m.name}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      {used.composites.length > 0 && (
        <>
          <h3>Composite module types</h3>
          <ul>
            {used.composites.map((c) => (
              <li key={`c${c.id}`}>
                <Link to={`/module-type-versions/${c.id}`}>
                  {c.module_type_name} v{c.number}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** What a removal dialog says about who uses the object: checking, the list, or nobody. */
export function UsageNotice({ checking, used, noneText }: { checking: boolean; used: UsedBy; noneText?: string }) {
  if (checking) return <p className="muted">Checking what uses it…</p>;
  if (used.modules.length === 0 && used.composites.length === 0) return noneText ? <p className="muted">{noneText}</p> : null;
  return (
    <div className="ds-notice">
      <p>It is used by:</p>
      <UsageList used={used} />
    </div>
  );
}
