export type { ContractVerifyOptions as ContractVerifyExecutorSchema } from '../../contracts/plan';
