export interface InitGeneratorSchema {
  registry?: string;
  skipFormat?: boolean;
}
