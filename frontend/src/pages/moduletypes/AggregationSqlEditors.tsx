import { useMemo } from 'react';
import type { AggregationSqlField, ValidationError } from '../../api/types';
import { AGGREGATION_FIELDS, aggregationCompletionSlots, errorsOfField } from './aggregation';
import type { VersionDraft } from './draft';
import { AlgorithmEditor } from './sql/AlgorithmEditor';
import type { PlaceholderSlots } from './sql/completion';
import { diagnosticsFromErrors, withoutLocation } from './sql/diagnostics';

interface Props {
  draft: VersionDraft;
  onChange: (field: AggregationSqlField, text: string) => void;
  readOnly: boolean;
  slots: PlaceholderSlots;
  /** The defaults written out for the draft's slots, shown while a field is empty. */
  defaults: Record<AggregationSqlField, string>;
  errors: readonly ValidationError[];
  /** The texts that were validated, per field (diagnostics apply to them). */
  validated: Record<AggregationSqlField, string | null>;
}

/** An aggregation version's aggregate / process / clear SQL (docs/aggregation.md §1), each optional. */
export function AggregationSqlEditors({ draft, onChange, readOnly, slots, defaults, errors, validated }: Props) {
  const withState = useMemo(() => aggregationCompletionSlots(slots, draft), [slots, draft]);
  return (
    <div className="mt-agg-fields">
      {AGGREGATION_FIELDS.map(({ field, label, help }) => (
        <AggregationField
          key={field}
          field={field}
          label={label}
          help={help}
          value={draft[field]}
          onChange={(text) => onChange(field, text)}
          readOnly={readOnly}
          slots={withState}
          emptyText={defaults[field]}
          errors={errorsOfField(errors, field)}
          validated={validated[field]}
        />
      ))}
    </div>
  );
}

function AggregationField({
  field,
  label,
  help,
  value,
  onChange,
  readOnly,
  slots,
  emptyText,
  errors,
  validated,
}: {
  field: AggregationSqlField;
  label: string;
  help: string;
  value: string;
  onChange: (text: string) => void;
  readOnly: boolean;
  slots: PlaceholderSlots;
  emptyText: string;
  errors: ValidationError[];
  validated: string | null;
}) {
  // Positions are for the validated text.
  const diagnostics = useMemo(() => diagnosticsFromErrors(validated ?? value, errors), [validated, errors]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className={`mt-agg-field${errors.length ? ' mt-agg-field-error' : ''}`} data-testid={`agg-field-${field}`}>
      <div className="panel-title-row">
        <h3 id={`mt-${field}-heading`}>
          {label} <span className="muted mt-agg-optional">(optional)</span>
        </h3>
        <span className="muted">{help}</span>
      </div>
      <AlgorithmEditor
        value={value}
        onChange={onChange}
        readOnly={readOnly}
        slots={slots}
        diagnostics={diagnostics}
        diagnosticsFor={validated}
        label={`${label} SQL`}
        testId={`${field}-editor`}
        emptyText={emptyText}
        compact
      />
      {errors.length > 0 && (
        <ul className="mt-errors mt-agg-field-errors" data-testid={`${field}-errors`}>
          {errors.map((e, i) => (
            <li key={i}>
              {e.line != null && (
                <span className="mt-error-where">
                  line {e.line}
                  {e.column != null ? `, column ${e.column}` : ''}:{' '}
                </span>
              )}
              {withoutLocation(e.message, e.line, e.column)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
