import { act, fireEvent, render, renderHook, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdFilterSelect, TEXT_FILTER_DELAY_MS, useDebouncedText } from './ListFilters';

interface Params {
  search?: string;
  project?: number | null;
}

describe('useDebouncedText', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the trimmed text into the params once typing pauses', () => {
    const onChange = vi.fn();
    const params: Params = { project: 3 };
    const { result } = renderHook(() => useDebouncedText(params, 'search', onChange));
    act(() => result.current[1](' fac'));
    act(() => result.current[1](' factors '));
    act(() => vi.advanceTimersByTime(TEXT_FILTER_DELAY_MS - 1));
    expect(onChange).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(1));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith({ project: 3, search: 'factors' });
  });

  it('shows a value that came from elsewhere (Back, a link) without writing it again', () => {
    const onChange = vi.fn();
    const { result, rerender } = renderHook(({ params }) => useDebouncedText(params, 'search', onChange), {
      initialProps: { params: { search: 'old' } as Params },
    });
    expect(result.current[0]).toBe('old');
    rerender({ params: { search: 'new' } });
    expect(result.current[0]).toBe('new');
    act(() => vi.advanceTimersByTime(TEXT_FILTER_DELAY_MS * 2));
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('IdFilterSelect', () => {
  it('offers "all" and each option, and reports the id or null', () => {
    const onChange = vi.fn();
    render(
      <IdFilterSelect
        label="Project"
        allLabel="All projects"
        options={[{ id: 1, name: 'Demo' }, { id: 2, name: 'Other' }]}
        value={2}
        onChange={onChange}
      />,
    );
    const select = screen.getByRole('combobox', { name: 'Project' });
    expect(select).toHaveDisplayValue('Other');
    fireEvent.change(select, { target: { value: '1' } });
    expect(onChange).toHaveBeenLastCalledWith(1);
    fireEvent.change(select, { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith(null);
  });
});
