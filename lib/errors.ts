// One error type for everything a user may see. `message` is safe to show; anything else
// (causes, stack traces) goes to the log only.
export type ErrorCode =
  | "bad_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "invalid_input"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_input: 422,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "AppError";
    this.status = STATUS[code];
  }
}

/** A unique constraint failed (Prisma P2002), without importing Prisma into shared code. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}

export const notFound = (what = "That page") => new AppError("not_found", `${what} does not exist, or you do not have access to it.`);

export function toErrorBody(e: AppError) {
  return { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } };
}
