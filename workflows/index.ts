export { healthCheck } from './health.ts';
