import type { ContextMode } from '../../service-config';

export interface AdoptGeneratorSchema {
  project: string;
  dockerfile?: string;
  context?: ContextMode;
  image?: string;
  skipFormat?: boolean;
}
