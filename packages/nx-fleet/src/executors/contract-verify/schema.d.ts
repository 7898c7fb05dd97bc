export interface ContractVerifyExecutorSchema {
  buildTarget?: string;
  port?: number;
  healthPath?: string;
  startTimeoutSeconds?: number;
  env?: Record<string, string>;
  startCommand?: string[];
  stateHandlers?: string;
  pactBrokerUrl?: string;
}
