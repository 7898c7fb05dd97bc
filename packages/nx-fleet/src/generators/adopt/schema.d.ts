import type { ContextMode } from '../../config/service-settings';

export interface AdoptGeneratorSchema {
  /** One project; without it, every project whose image something already builds. */
  project?: string;
  dockerfile?: string;
  context?: ContextMode;
  image?: string;
  target?: string;
  skipFormat?: boolean;
}
