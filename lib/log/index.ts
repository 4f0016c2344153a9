export { logger, createLogger, type Logger } from './logger';
export { withLogContext, currentLogContext, type LogContext } from './context';
export { serializeError, describeError, type SafeError } from './serialize-error';
