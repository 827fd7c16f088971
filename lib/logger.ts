import pino from "pino";

// Structured logs. Never log a secret or token: the redact list is a second line of defence.
// Under vitest the lines are kept in memory instead (capturedLogLines), so tests can prove that
// no log line carries a token.
const captured: string[] = [];
const sink = process.env.VITEST ? { write: (line: string) => void captured.push(line) } : undefined;

export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? "info",
    base: { service: "mailgrant" },
    redact: {
      paths: ["*.secret", "*.clientSecret", "*.token", "*.accessToken", "*.refreshToken", "*.password", "*.authorization", "headers.cookie"],
      censor: "[redacted]",
    },
  },
  ...(sink ? [sink] : []),
);

/** Log lines written so far (tests only; empty outside vitest). */
export const capturedLogLines = (): readonly string[] => captured;
