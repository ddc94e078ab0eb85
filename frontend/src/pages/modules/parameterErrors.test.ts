import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { parameterErrors } from './parameterErrors';

const refused = new ApiError(400, 'invalid_parameter_value', "Parameter f: 'abc' is not a valid double precision value.", {
  parameters: { f: "'abc' is not a valid double precision value." },
});

describe('parameterErrors', () => {
  it('marks the parameters a save was refused for, while their value is the one sent', () => {
    const source = { saveError: refused, savedValues: { f: 'abc' }, validation: null, validatedValues: null };
    expect(parameterErrors(source, { f: 'abc' })).toEqual({ f: "'abc' is not a valid double precision value." });
    expect(parameterErrors(source, { f: '1.5' })).toEqual({});
  });

  it('marks the parameters Validate names, not its other errors', () => {
    const validation = {
      valid: false,
      errors: [
        { code: 'invalid_parameter_value', message: "'x' is not a valid integer value.", slot: 'n' },
        { code: 'unset_parameter', message: 'Not set.', slot: 'm' },
      ],
    };
    const source = { saveError: null, savedValues: null, validation, validatedValues: { n: 'x' } };
    expect(parameterErrors(source, { n: 'x' })).toEqual({ n: "'x' is not a valid integer value." });
    expect(parameterErrors(source, { n: '3' })).toEqual({});
  });

  it('ignores other errors', () => {
    const other = new ApiError(400, 'invalid_bindings', 'x', { bindings: ['x'] });
    expect(parameterErrors({ saveError: other, savedValues: {}, validation: null, validatedValues: null }, {})).toEqual({});
  });
});
