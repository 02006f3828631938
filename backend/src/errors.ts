/** A client error whose message is safe to show: the error handler answers 400 with it. */
export class BadRequestError extends Error {
  readonly statusCode = 400;
}

/** The request conflicts with what is stored (e.g. an id already recorded): answered 409 with its message. */
export class ConflictError extends Error {
  readonly statusCode = 409;
}
