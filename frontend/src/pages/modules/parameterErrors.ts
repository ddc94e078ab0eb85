/**
 * Which parameter fields to mark (pure): a save refused with 400 `invalid_parameter_value`
 * (`details.parameters = {name: sentence}`) and Validate's `invalid_parameter_value` errors (`slot` = name).
 * A value changed since then is no longer marked: the sentence was about the old value.
 */
import { isApiError } from '../../api/client';
import type { ModuleValidationResult } from '../../api/types';

export const INVALID_PARAMETER_VALUE = 'invalid_parameter_value';

export interface ParameterErrorSource {
  /** The last save's error, if it failed. */
  saveError: unknown;
  /** The values that save sent (null when it sent none). */
  savedValues: Record<string, string> | null;
  validation: ModuleValidationResult | null;
  /** The saved values Validate checked. */
  validatedValues: Record<string, string | null> | null;
}

export function parameterErrors(source: ParameterErrorSource, current: Record<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  const stillThere = (name: string, values: Record<string, string | null> | null) => !values || values[name] === current[name];
  if (isApiError(source.saveError) && source.saveError.code === INVALID_PARAMETER_VALUE) {
    const parameters = (source.saveError.details as { parameters?: unknown } | null)?.parameters;
    if (parameters && typeof parameters === 'object') {
      for (const [name, message] of Object.entries(parameters as Record<string, unknown>)) {
        if (stillThere(name, source.savedValues)) found[name] = String(message);
      }
    }
  }
  for (const error of source.validation?.errors ?? []) {
    if (error.code === INVALID_PARAMETER_VALUE && error.slot && !(error.slot in found) && stillThere(error.slot, source.validatedValues)) {
      found[error.slot] = error.message;
    }
  }
  return found;
}
