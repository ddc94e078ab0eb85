/** Placeholder: the Modules manager replaces this page. */
export function ModulesPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>Modules</h1>
      </div>
      <p className="empty">No modules yet. Modules you can use will be listed here.</p>
    </div>
  );
}
