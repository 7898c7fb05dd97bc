export interface ServiceGeneratorSchema {
  name: string;
  directory?: string;
  consumes?: string;
  port?: number;
  force?: boolean;
  skipFormat?: boolean;
}
