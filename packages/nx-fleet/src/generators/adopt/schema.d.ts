import type { ContextMode } from '../../config/service-settings';

export interface AdoptGeneratorSchema {
  project: string;
  dockerfile?: string;
  context?: ContextMode;
  image?: string;
  skipFormat?: boolean;
}
