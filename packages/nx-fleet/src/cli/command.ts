export interface Command {
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  /** Names of the positional arguments, for help and validation; none when absent. */
  positionals?: string[];
  run(
    values: Record<string, string | boolean | string[] | undefined>,
    env: { cwd: string; positionals: string[] },
  ): Promise<number>;
}
