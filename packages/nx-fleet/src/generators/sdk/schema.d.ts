export interface SdkGeneratorSchema {
  service: string;
  skipFormat?: boolean;
}
