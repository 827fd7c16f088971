import pino from "pino";

// Structured logs. Never log a secret or token: the redact list is a second line of defence.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "mailgrant" },
  redact: {
    paths: ["*.secret", "*.clientSecret", "*.token", "*.accessToken", "*.refreshToken", "*.password", "*.authorization", "headers.cookie"],
    censor: "[redacted]",
  },
});
