import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DatasetSlot, ParameterSlot } from '../../api/types';
import { DatasetSlotsTable, ParameterSlotsTable } from './SlotTables';

const dataset: DatasetSlot = { placeholder: 'src', mode: 'IN', dataset_type: 9, is_optional: false, description: '' };
const parameter: ParameterSlot = { name: 'factor', sql_type: 'double precision', mode: 'IN', is_optional: false, description: '' };

describe('slot tables', () => {
  it('edits dataset slots, reporting renames and showing a type that no longer exists', async () => {
    const onChange = vi.fn();
    render(<DatasetSlotsTable slots={[dataset]} datasetTypes={[{ id: 1, name: 'Emission Factors' }]} readOnly={false} onChange={onChange} onAdd={() => {}} />);
    const table = screen.getByTestId('dataset-slots');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Placeholder', 'Mode', 'Dataset type', 'Optional', 'Description', '']);
    expect(screen.getByLabelText('Dataset 1 type')).toHaveDisplayValue('Type 9');
    await userEvent.type(screen.getByLabelText('Dataset 1 placeholder'), 'x');
    expect(onChange).toHaveBeenLastCalledWith([{ ...dataset, placeholder: 'srcx' }], { from: 'src', to: 'srcx' });
    await userEvent.selectOptions(screen.getByLabelText('Dataset 1 type'), 'Emission Factors');
    expect(onChange).toHaveBeenLastCalledWith([{ ...dataset, dataset_type: 1 }], undefined);
    await userEvent.click(screen.getByRole('button', { name: 'Remove dataset src' }));
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it('edits parameter slots with the SQL type before the mode; read-only shows no buttons', async () => {
    const onChange = vi.fn();
    const { rerender } = render(<ParameterSlotsTable slots={[parameter]} sqlTypes={['integer', 'double precision']} readOnly={false} onChange={onChange} onAdd={() => {}} />);
    const headers = within(screen.getByTestId('parameter-slots')).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers.slice(0, 3)).toEqual(['Name', 'SQL type', 'Mode']);
    await userEvent.click(screen.getByLabelText('Parameter 1 optional'));
    expect(onChange).toHaveBeenLastCalledWith([{ ...parameter, is_optional: true }], undefined);
    rerender(<ParameterSlotsTable slots={[parameter]} sqlTypes={['integer']} readOnly onChange={onChange} onAdd={() => {}} />);
    expect(screen.getByLabelText('Parameter 1 SQL type')).toHaveDisplayValue('double precision');
    expect(screen.getByLabelText('Parameter 1 name')).toBeDisabled();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
