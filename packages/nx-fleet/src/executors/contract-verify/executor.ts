import type { ExecutorContext } from '@nx/devkit';
import { nodePactLoader } from '../../contracts/pact-loader';
import { verifyContracts } from '../../contracts/verify';
import { buildOptionsOf, fleetPorts, reportingFailures, serviceRefOf } from '../run-executor';
import type { ContractVerifyExecutorSchema } from './schema';

export default async function contractVerifyExecutor(
  options: ContractVerifyExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportingFailures(() =>
    verifyContracts(
      { ...fleetPorts(), pact: nodePactLoader, buildOptions: (buildTarget) => buildOptionsOf(context, buildTarget) },
      { service: serviceRefOf(context), options },
    ),
  );
}
