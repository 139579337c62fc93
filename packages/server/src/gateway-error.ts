// The gateway's own top-level errors: every one carries `extensions.code`, typed as one of the schema's
// `ErrorCode` values (ERROR_CODES in @billing/schema), so a code cannot be misspelt or left undocumented.
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '@billing/schema/billing';

export interface GatewayErrorOptions {
  /** The HTTP answer Yoga gives when this error ends the request (`spec` keeps 200 for `application/json`). */
  http?: { status: number; headers?: Record<string, string>; spec?: boolean };
  /** More machine-readable detail beside `code` (e.g. `retryAfterSeconds`). */
  extensions?: Record<string, unknown>;
}

export function gatewayError(code: ErrorCode, message: string, options: GatewayErrorOptions = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: { ...options.extensions, code, ...(options.http ? { http: options.http } : {}) },
  });
}

/** The JSON body of an error answered outside Yoga (the 500 of last resort, an instance shutting down). */
export function errorResponseBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}
