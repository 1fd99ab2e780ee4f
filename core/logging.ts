import type { LoggerOptions } from 'pino';
import type { Config } from './config.ts';

/** pino options shared by the API and the worker: one line per event, readable under `npm start`. */
export function loggerOptions(log: Config['log']): LoggerOptions {
  if (log.format === 'json') return { level: log.level };
  return {
    level: log.level,
    transport: {
      target: 'pino-pretty',
      options: { colorize: false, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
    },
  };
}
