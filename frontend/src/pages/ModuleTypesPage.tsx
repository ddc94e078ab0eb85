/** Placeholder: the Module Types manager replaces this page. */
export function ModuleTypesPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>Module Types</h1>
      </div>
      <p className="empty">No module types yet. Module types you can use will be listed here.</p>
    </div>
  );
}
