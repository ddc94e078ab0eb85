/** Placeholder: the History manager replaces this page. */
export function HistoryPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>History</h1>
      </div>
      <p className="empty">No runs yet. The history of module runs will be listed here.</p>
    </div>
  );
}
