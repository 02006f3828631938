/**
 * The security service cannot take this now, for a reason the caller can wait out: answered 503 with its message
 * and Retry-After (routes send it themselves: the error handler masks 5xx bodies).
 */
export class SecurityUnavailableError extends Error {
  readonly statusCode = 503;
}

/** The ban state has not been read from the database yet (start-up, or the database is unreachable). */
export class SecurityNotReadyError extends SecurityUnavailableError {
  override name = 'SecurityNotReadyError';
}

/** Too many batches are waiting already. */
export class ServiceBusyError extends SecurityUnavailableError {
  override name = 'ServiceBusyError';
}
