/** A client error whose message is safe to show: the error handler answers 400 with it. */
export class BadRequestError extends Error {
  readonly statusCode = 400;
}
