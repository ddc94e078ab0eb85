import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ModalActions, parseTags, ProjectSelect } from './FormFields';

describe('form fields', () => {
  it('parses tags without blanks or repeats', () => {
    expect(parseTags(' a, b ,,a , ')).toEqual(['a', 'b']);
  });
  it('offers the writable projects, or says there is none', async () => {
    const onChange = vi.fn();
    const { rerender } = render(<ProjectSelect id="p" projects={[{ id: 1, name: 'Demo', role: 'modeler' }, { id: 2, name: 'Other', role: 'admin' }]} value="1" onChange={onChange} />);
    await userEvent.selectOptions(screen.getByLabelText('Project'), 'Other');
    expect(onChange).toHaveBeenCalledWith('2');
    rerender(<ProjectSelect id="p" projects={[]} value="" onChange={onChange} />);
    expect(screen.getByLabelText('Project')).toHaveDisplayValue('No project you can write to');
  });
  it('cancels and submits', async () => {
    const onCancel = vi.fn();
    render(<ModalActions submitLabel="Create" disabled onCancel={onCancel} />);
    expect(screen.getByRole('button', { name: 'Create' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalled();
  });
});
