import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** One error handler: 4xx say what was wrong, 5xx are logged and never leak details to the client. */
async function errorHandler(fastify: FastifyInstance): Promise<void> {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({ error: 'Internal Server Error', message: 'Something went wrong.' });
    }
    return reply.status(status).send({ error: error.code ?? 'Bad Request', message: error.message });
  });
  fastify.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'Not Found', message: `No route for ${request.method} ${request.url}` }),
  );
}

export default fp(errorHandler, { name: 'error-handler' });
