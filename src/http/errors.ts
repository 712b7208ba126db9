/** A small family of typed errors; the error handler turns them into pages or JSON. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  /** Whether the message may be shown to the user as it is. */
  readonly expose: boolean;

  constructor(
    message: string,
    options: { status?: number; code?: string; expose?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? 500;
    this.code = options.code ?? 'internal_error';
    this.expose = options.expose ?? this.status < 500;
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'We could not find that page.') {
    super(message, { status: 404, code: 'not_found' });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to see this page.') {
    super(message, { status: 403, code: 'forbidden' });
  }
}

export type FieldErrors = Record<string, string>;

export class ValidationError extends AppError {
  readonly fields: FieldErrors;
  constructor(fields: FieldErrors, message = 'Please correct the highlighted fields.') {
    super(message, { status: 422, code: 'validation_failed' });
    this.fields = fields;
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, { status: 409, code: 'conflict' });
  }
}
