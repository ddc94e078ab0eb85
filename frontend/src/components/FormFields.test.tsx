import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ModalActions, parseTags, ProjectSelect, TextField } from './FormFields';

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
  it('still offers the object’s own project when the user may not write to it', async () => {
    const onChange = vi.fn();
    render(
      <ProjectSelect
        id="p"
        projects={[{ id: 2, name: 'Other', role: 'modeler' }]}
        value="1"
        current={{ id: 1, name: 'Demo' }}
        onChange={onChange}
      />,
    );
    const select = screen.getByLabelText('Project');
    expect(select).toHaveDisplayValue('Demo');
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Demo', 'Other']);
    await userEvent.selectOptions(select, 'Other');
    expect(onChange).toHaveBeenCalledWith('2');
  });
  it('reads only while disabled', () => {
    render(<TextField id="t" label="Tags" value="a" placeholder="comma separated" onChange={vi.fn()} disabled />);
    expect(screen.getByLabelText('Tags')).toBeDisabled();
    expect(screen.getByLabelText('Tags')).toHaveAttribute('placeholder', 'comma separated');
  });
  it('cancels and submits', async () => {
    const onCancel = vi.fn();
    render(<ModalActions submitLabel="Create" disabled onCancel={onCancel} />);
    expect(screen.getByRole('button', { name: 'Create' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalled();
  });
  it('says why the submit button is disabled', () => {
    render(<ModalActions submitLabel="Create" disabled title="Choose a name" onCancel={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Create' })).toHaveAttribute('title', 'Choose a name');
  });
});
