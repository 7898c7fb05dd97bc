export type { PushOptions as DockerPushExecutorSchema } from '../../push/push';
