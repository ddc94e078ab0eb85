import type { CsvProblem } from '../../api/types';

/** The row/column/reason list of a rejected CSV (rows count data lines: 1 = the line after the header). */
export function CsvProblems({ problems }: { problems: CsvProblem[] }) {
  return (
    <table className="table ds-table-compact ds-csv-problems" data-testid="csv-problems">
      <thead>
        <tr>
          <th scope="col" className="num">
            Row
          </th>
          <th scope="col">Column</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p, i) => (
          <tr key={i}>
            <td className="num">{p.row ?? '—'}</td>
            <td>{p.column ?? '—'}</td>
            <td>{p.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
