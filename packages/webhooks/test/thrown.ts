import { isEddyError } from '@eddy/core';

/** The code and message of the EddyError `fn` throws, or undefined when it throws none. */
export function thrown(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    if (isEddyError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  return undefined;
}
