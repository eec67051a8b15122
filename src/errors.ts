/**
 * One error family for everything the service itself rejects. Each subclass carries the
 * HTTP status and the Anthropic error `type`, so every edge (proxy, control API, MCP, jobs)
 * translates it the same way.
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error'
  | 'timeout_error'

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly type: AnthropicErrorType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }

  toBody(): AnthropicErrorBody {
    return { type: 'error', error: { type: this.type, message: this.message } }
  }
}

export interface AnthropicErrorBody {
  type: 'error'
  error: { type: AnthropicErrorType; message: string }
}

export class BadRequestError extends AppError {
  constructor(message: string) {
    super(400, 'invalid_request_error', message)
  }
}

export class AuthenticationError extends AppError {
  constructor(message: string) {
    super(401, 'authentication_error', message)
  }
}

export class PermissionError extends AppError {
  constructor(message: string) {
    super(403, 'permission_error', message)
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'not_found_error', message)
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'request_too_large', `Request body exceeds the proxy limit of ${limitBytes} bytes`)
  }
}

/** A body that is not JSON where the API only takes JSON. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string | undefined) {
    super(
      415,
      'invalid_request_error',
      `Content-Type must be application/json, got ${contentType ? JSON.stringify(contentType) : 'none'}`,
    )
  }
}

/** The upstream could not be reached or failed before answering. */
export class UpstreamError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(502, 'api_error', message, options)
  }
}

export class UpstreamTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super(504, 'timeout_error', `Upstream did not answer within ${timeoutMs} ms`)
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super(503, 'overloaded_error', message)
  }
}

export function errorBody(type: AnthropicErrorType, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message } }
}
