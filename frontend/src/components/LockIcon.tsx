/** A padlock drawn as SVG (an emoji needs a font that has it; without one it shows as an empty box). */
export function LockIcon({ title = 'Locked' }: { title?: string }) {
  return (
    <svg
      className="lock-icon"
      width="12"
      height="12"
      viewBox="0 0 16 16"
      role="img"
      aria-label={title}
      data-testid="lock-icon"
      style={{ verticalAlign: '-1px', marginRight: 4 }}
    >
      <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
    </svg>
  );
}
