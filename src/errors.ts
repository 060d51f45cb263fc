/**
 * The errors a service may throw. Handlers and the error handler map them to HTTP statuses;
 * anything else is a bug and becomes a 500 page that leaks nothing.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends Error {
  constructor(public readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export class NotFoundError extends Error {
  constructor(what = 'Page') {
    super(`${what} not found`);
  }
}

export class ForbiddenError extends Error {
  constructor(message = 'You do not have permission to do that') {
    super(message);
  }
}

/** The request clashes with one still in progress (the same idempotent action, sent twice at once): try again. */
export class ConflictError extends Error {}

export class UnauthenticatedError extends Error {
  constructor() {
    super('Sign in to continue');
  }
}

/** Shape that govukErrorSummary expects. */
export function toErrorSummary(errors: FieldError[]): { text: string; href: string }[] {
  return errors.map((e) => ({ text: e.message, href: `#${e.field}` }));
}

/** Field name → message, for each component's errorMessage. */
export function toErrorMap(errors: FieldError[]): Record<string, { text: string }> {
  const map: Record<string, { text: string }> = {};
  for (const e of errors) map[e.field] ??= { text: e.message };
  return map;
}
