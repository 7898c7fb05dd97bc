export interface Command {
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  run(values: Record<string, string | boolean | undefined>, env: { cwd: string }): Promise<number>;
}
