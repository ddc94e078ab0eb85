import { describe, expect, it } from 'vitest';
import type { ParameterSlot } from '../../../api/types';
import { changedParameters, currentValues, describeChange, slotsFromStep, steerableSlots } from './steering';
import { histogramResult, histogramTypeVersion, steeringRecord } from './fixtures';

const slots = steerableSlots(histogramTypeVersion().parameter_slots);

describe('steering', () => {
  it('offers the IN parameters only', () => {
    const out: ParameterSlot = { name: 'max', sql_type: 'double precision', mode: 'OUT', is_optional: true, description: '' };
    expect(steerableSlots([...slots, out]).map((s) => s.name)).toEqual(['column', 'bins', 'min', 'max']);
  });
  it('current values: the run parameters, then the steering changes in order, the bin count from the result', () => {
    const parameters = [
      { path: 'hist', name: 'column', mode: 'IN' as const, sql_type: 'text', input_value: 'x', output_value: null },
      { path: 'other', name: 'bins', mode: 'IN' as const, sql_type: 'integer', input_value: '99', output_value: null },
    ];
    const partial = { kind: 'histogram', result: histogramResult(4), final: false };
    expect(currentValues('hist', slots, parameters, [], partial)).toEqual({ column: 'x', bins: '4', min: '', max: '' });
    const steering = [steeringRecord({ parameters: { bins: '8', min: '0' } }), steeringRecord({ path: 'other', parameters: { bins: '2' } }), steeringRecord({ parameters: { bins: '16' } })];
    expect(currentValues('hist', slots, parameters, steering, partial)).toEqual({ column: 'x', bins: '16', min: '0', max: '' });
  });
  it("takes the IN parameters from the step's record when it lists them", () => {
    const step = [
      { name: 'bins', mode: 'IN' as const, sql_type: 'integer', input_value: '32' },
      { name: 'min', mode: 'IN' as const, sql_type: 'double precision', input_value: null },
      { name: 'count', mode: 'OUT' as const, sql_type: 'bigint', input_value: null },
    ];
    expect(slotsFromStep(step).map((s) => [s.name, s.sql_type, s.is_optional])).toEqual([
      ['bins', 'integer', false],
      ['min', 'double precision', true],
    ]);
    expect(slotsFromStep(undefined)).toEqual([]);
  });

  it("the step's own recorded parameters win over the run's", () => {
    const step = [{ name: 'bins', mode: 'IN' as const, sql_type: 'integer', input_value: '32' }, { name: 'column', mode: 'IN' as const, sql_type: 'text', input_value: 'v' }];
    expect(currentValues('', slots, [], [], null, step)).toEqual({ column: 'v', bins: '32', min: '', max: '' });
    expect(currentValues('', slots, [], [steeringRecord({ path: '', parameters: { bins: '8' } })], null, step).bins).toBe('8');
  });

  it('sends only what changed', () => {
    const current = { column: 'x', bins: '4', min: '', max: '' };
    expect(changedParameters(current, { ...current, bins: ' 16 ' })).toEqual({ bins: '16' });
    expect(changedParameters(current, { ...current, min: '0', column: 'x' })).toEqual({ min: '0' });
    expect(changedParameters({ ...current, min: '3' }, { ...current, min: '' })).toEqual({ min: '' });
    expect(changedParameters(current, current)).toEqual({});
    expect(describeChange({ bins: '16', min: '' })).toBe('bins = 16, min = (unset)');
  });
});
