import { InvalidCloudEventError } from '@eddy/core/cloudevents';

/** Most problems one error response lists; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 20;
/** Longest problem sentence kept: a problem may quote a client's attribute name, which has no size bound before validation. */
export const MAX_PROBLEM_CHARS = 300;

/**
 * An `InvalidCloudEventError` listing at most `MAX_LISTED_PROBLEMS` problems, each cut to
 * `MAX_PROBLEM_CHARS`, and saying how many more there were: the response stays small whatever the
 * request held.
 */
export function invalidEventsError(problems: readonly string[]): InvalidCloudEventError {
  const listed = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map((problem) =>
      problem.length > MAX_PROBLEM_CHARS ? `${problem.slice(0, MAX_PROBLEM_CHARS)}...` : problem,
    );
  const more = problems.length - listed.length;
  if (more > 0) listed.push(`and ${more} more problems (fix these first)`);
  return new InvalidCloudEventError(listed);
}

/** Runs `decode`, rethrowing an `InvalidCloudEventError` with its problem list capped. */
export function withCappedProblems<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (
      error instanceof InvalidCloudEventError &&
      (error.problems.length > MAX_LISTED_PROBLEMS ||
        error.problems.some((problem) => problem.length > MAX_PROBLEM_CHARS))
    ) {
      throw invalidEventsError(error.problems);
    }
    throw error;
  }
}
