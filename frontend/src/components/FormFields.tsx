/** The form blocks that the create/edit dialogs share: labelled fields, the project choice, the buttons. */
import type { ProjectMembership } from '../api/types';

interface TextProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  maxLength?: number;
}

export function TextField({ id, label, value, onChange, required, maxLength }: TextProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required} maxLength={maxLength} />
    </div>
  );
}

export function TextAreaField({ id, label, value, onChange, rows = 3 }: Omit<TextProps, 'required' | 'maxLength'> & { rows?: number }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** The projects the user may create in (`value` is the project id as text, "" for none). */
export function ProjectSelect({ id, projects, value, onChange }: { id: string; projects: ProjectMembership[]; value: string; onChange: (value: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>Project</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required>
        {projects.length === 0 && <option value="">No project you can write to</option>}
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Comma-separated tags → a list without blanks or repeats. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

/** Cancel and the submit button of a dialog's form. */
export function ModalActions({ submitLabel, disabled, onCancel }: { submitLabel: string; disabled: boolean; onCancel: () => void }) {
  return (
    <div className="ds-modal-actions">
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={disabled}>
        {submitLabel}
      </button>
    </div>
  );
}
