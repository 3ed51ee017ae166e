/**
 * Fastify's `trustProxy`: believe X-Forwarded-For and X-Forwarded-Proto only from these peers.
 * Without any, `request.ip` is the socket's peer, which a client cannot choose.
 */
export const trustProxy = (trusted: readonly string[] | undefined): string[] | false =>
  trusted && trusted.length > 0 ? [...trusted] : false;
