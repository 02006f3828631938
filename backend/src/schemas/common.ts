import { Type, type Static } from '@sinclair/typebox';

/** Body of every error response: 4xx carry the reason, 5xx a generic message and the request id. */
export const ErrorResponse = Type.Object(
  {
    message: Type.String(),
    requestId: Type.Optional(Type.String({ description: 'correlates with the server log line' })),
  },
  { $id: 'ErrorResponse', title: 'Error' }
);
export type ErrorResponse = Static<typeof ErrorResponse>;

const errorRef = Type.Ref('ErrorResponse');

/** Error responses every authenticated route can return. */
export const authErrors = {
  401: errorRef,
  403: errorRef,
  429: errorRef,
  500: errorRef,
} as const;

/** OpenAPI security requirement for bearer-token routes. */
export const bearerSecurity = [{ bearerAuth: [] }];
