import { WorkflowNotFoundError } from '@temporalio/client';
import Type from 'typebox';
import { ApiError } from '../../plugins/error-handler.ts';
import { errorReplies } from '../../schemas/common.ts';
import { RunParams, RunStatus } from './schemas.ts';
import { findRun, isActive, type RunRouteDeps, type RunsApp, tags } from './shared.ts';

const CancelReply = Type.Object({
  runId: Type.String(),
  status: RunStatus,
  message: Type.String(),
});

export function cancelRunRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.post(
    '/:id/cancel',
    {
      onRequest: app.writeAccess,
      schema: {
        tags,
        summary: 'Cancel a run: in-flight model calls are aborted, stored results are kept',
        params: RunParams,
        response: { 202: CancelReply, ...errorReplies(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const run = findRun(deps.db, request.params.id);
      const finished = () => new ApiError(409, `Run "${run.id}" has already finished (${run.status}).`);
      if (!isActive(run)) throw finished();
      try {
        await deps.temporal.client.workflow.getHandle(run.workflowId).cancel();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw finished();
        throw error;
      }
      return reply.status(202).send({
        runId: run.id,
        status: run.status,
        message: 'Cancellation requested: the run ends as cancelled once its in-flight cells have stopped.',
      });
    },
  );
}
