import type { FastifyRequest } from 'fastify';

/** The request's Host name (no port, no IPv6 brackets), lower-cased. */
export function requestHostName(request: FastifyRequest): string {
  const host = request.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0];
  return (name ?? '').toLowerCase();
}

/** Whether the request names one of the allowed hosts (config http.allowedHosts). */
export function hostAllowed(request: FastifyRequest, allowed: readonly string[]): boolean {
  return allowed.includes(requestHostName(request));
}

/** Set by the dashboard's server on its API calls: the address of the visitor it calls for. */
export const CLIENT_ADDRESS_HEADER = 'x-pcs-client-address';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function fromLoopback(request: FastifyRequest): boolean {
  const ip = request.socket.remoteAddress ?? '';
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
