import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { pushEach } from '../../push/batch';
import { buildOptionsOf, fleetPorts, serviceRefOf } from '../run-executor';
import type { DockerPushExecutorSchema } from './schema';

/**
 * docker-push for many services in one process (executors.json `preferBatch`): Nx hands over every
 * ready push at once, and each task's result is reported as soon as its push ends.
 */
export default async function* dockerPushBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, DockerPushExecutorSchema>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<{
  task: string;
  result: { success: boolean; terminalOutput: string; startTime: number; endTime: number };
}> {
  const pushes = Object.values(taskGraph.tasks).map((task) => {
    const taskContext: ExecutorContext = {
      ...context,
      projectName: task.target.project,
      targetName: task.target.target,
      configurationName: task.target.configuration,
    };
    return {
      id: task.id,
      request: {
        service: serviceRefOf(taskContext),
        options: inputs[task.id]!,
        buildOptions: (buildTarget: string) => buildOptionsOf(taskContext, buildTarget),
      },
    };
  });
  for await (const { id, success, output, startTime, endTime } of pushEach(fleetPorts(), pushes))
    yield { task: id, result: { success, terminalOutput: output, startTime, endTime } };
}
