/** Placeholder: the Datasets manager replaces this page. */
export function DatasetsPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>Datasets</h1>
      </div>
      <p className="empty">No datasets yet. Datasets you can use will be listed here.</p>
    </div>
  );
}
