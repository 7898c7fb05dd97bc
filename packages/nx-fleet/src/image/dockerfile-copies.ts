import { posix } from 'node:path';
import picomatch from 'picomatch';
import { namesDevelopment } from '../text/development-names';
import { shellCommands } from '../text/shell-words';

/** A source of a COPY or ADD that must come from the build context. */
export interface CopySource {
  /** 1-based line of the instruction in the Dockerfile. */
  line: number;
  instruction: string;
  source: string;
  /** The instruction's `--exclude` patterns (BuildKit's, relative to each source), quotes removed. */
  exclude?: readonly string[];
}

/** Build arguments by name, as the engine's `--build-arg` passes them (docker-build's `buildArgs`). */
export type BuildArgs = Readonly<Record<string, string>>;

/** A COPY/ADD source as written, and as the build expands it (undefined: only the engine can tell). */
export interface WrittenSource extends Omit<CopySource, 'source'> {
  written: string;
  source: string | undefined;
  /**
   * When only build arguments declared without a default, and not given, left it unexpanded: their
   * names, and the source as the engine then reads it (each one empty).
   */
  unset?: { args: string[]; source: string };
}

/** An ENV's value: known, unknown, or left open only by unset build arguments (its value at build time). */
type EnvValue = string | undefined | { engine: string; args: string[] };

/** The platform arguments the builder sets itself (`TARGETARCH`…): never unset. */
const PLATFORM_ARGS = /^(?:TARGET|BUILD)(?:PLATFORM|OS|ARCH|VARIANT)$/;
/** Build arguments the builder sets itself: never unset. */
const AUTOMATIC_ARGS = new RegExp(`${PLATFORM_ARGS.source}|^BUILDKIT_`);

/**
 * The context sources of every COPY/ADD and of every RUN's bind mount of the context
 * (`--mount=type=bind,source=…`, the whole context without a source): not those copying from another
 * stage or image (`--from`), not URLs or git sources (ADD), not heredocs. A source is read as the
 * build reads it — quotes removed, variables expanded (`BuildVariables`); one that only the engine
 * can resolve is left out.
 */
export function copySources(dockerfile: string, buildArgs: BuildArgs = {}, target?: string): CopySource[] {
  return new DockerfileReading(dockerfile, buildArgs, target).sources;
}

/** The sources the build's expansion decided, as context sources. */
export function expandedSources(written: readonly WrittenSource[]): CopySource[] {
  return written.flatMap(({ line, instruction, source, exclude }) =>
    source === undefined ? [] : [{ line, instruction, source, ...(exclude && { exclude }) }],
  );
}

/**
 * One Dockerfile as the build reads it, parsed once however many questions are asked of it: its
 * instructions, the context sources of each, and what later stages take from a whole-context stage.
 */
export class DockerfileReading {
  private parsed: {
    steps?: Step[];
    built?: readonly Step[];
    shipped?: readonly Step[];
    walked?: ReturnType<typeof walk>;
    sources?: CopySource[];
    finals?: string[];
  } = {};

  constructor(
    readonly text: string,
    readonly buildArgs: BuildArgs = {},
    /**
     * The stage built (`--target`): only the stages it needs are read. Unset: the last stage and the
     * stages it needs, as BuildKit and buildah build (both engines skip the stages the built one never uses).
     */
    readonly target?: string,
  ) {}

  get steps(): Step[] {
    return (this.parsed.steps ??= instructions(this.text));
  }

  /**
   * The steps the build runs: the target's stage and the stages it needs (the last one's without a
   * target), and the ARGs before the first FROM. A RUN of a stage never built decides nothing
   * (churros' `yarn cp-env` in the builder stage its `prisma` target never uses).
   */
  get builtSteps(): readonly Step[] {
    return (this.parsed.built ??= stepsFor(this.steps, this.target, this.buildArgs));
  }

  /**
   * The steps of the stage built and of the stages it is built FROM: what the image's layers and
   * history hold. A stage the image only copies from (`COPY --from=deps`) leaves its own behind.
   */
  get shippedSteps(): readonly Step[] {
    return (this.parsed.shipped ??= this.stagesShipped());
  }

  private stagesShipped(): readonly Step[] {
    const { stages, bases } = (this.stageUse ??= stageUseOf(this.steps, this.buildArgs));
    const chain = new Set<string>();
    for (let at = this.target?.toLowerCase() ?? stages.at(-1); at !== undefined && !chain.has(at); at = bases.get(at))
      chain.add(at);
    let stage = -1;
    return this.steps.filter(({ text }) => {
      if (/^FROM\s/i.test(text)) stage++;
      return stage >= 0 && chain.has(stages[stage]!);
    });
  }

  get written(): WrittenSource[] {
    return this.walked.written;
  }

  /**
   * The build arguments the file's ARGs declare, in any stage: a build argument none declares is
   * unused (the engine says so only while building; names are case-sensitive).
   */
  get declaredArgs(): ReadonlySet<string> {
    return new Set(
      this.steps.flatMap((step) =>
        /^ARG\s/i.test(step.text) ? shellWords(step.text.slice(4)).map((word) => word.split('=', 1)[0]!) : [],
      ),
    );
  }

  /** The sources the build's expansion decided (`copySources`). */
  get sources(): CopySource[] {
    return (this.parsed.sources ??= expandedSources(this.written));
  }

  /**
   * The context paths later stages read from a stage that copied the whole context: `COPY . .` in a
   * stage (at its WORKDIR, `/app`), then `COPY --from=<that stage> /app/scripts/entrypoint.sh …`
   * reads `scripts/entrypoint.sh` of the context (a stage built `FROM` it holds the same). A context
   * that holds only part of the workspace (pruned) must carry them; a path the stage's own steps wrote
   * (`/app/out/full` of a prune tool) is no context path, and the caller finds it in no file.
   */
  get wholeCopyReads(): CopySource[] {
    return this.walked.reads;
  }

  /**
   * The WORKDIRs a stage enters inside the whole context it copied (`COPY ./ /workspace`, then
   * `WORKDIR /workspace/packages/auth`), as context paths (`packages/auth`): where the build expects
   * which part of the context.
   */
  get wholeCopyWorkdirs(): CopySource[] {
    return this.walked.workdirs;
  }

  /**
   * The RUNs (of the stages built) whose build runs in a folder a build argument without a value
   * names, with those arguments: bins' `cd packages/$APP_NAME && yarn build`, `WORKDIR
   * /app/apps/${APP}` then `RUN npm run build`, `pnpm -C apps/$APP build`.
   */
  get variableBuildFolders(): Array<{ step: Step; args: string[] }> {
    return this.walked.selected;
  }

  /**
   * The context folders a RUN builds where they were copied to: a package's build script, `tsc` or
   * `nest build` run in the WORKDIR a `COPY <folder> <there>` filled (rybbit's `WORKDIR /app/server`,
   * `COPY server/ .`, `RUN npm run build`), as the sources written.
   */
  get localBuilds(): CopySource[] {
    return this.walked.builds;
  }

  /**
   * The script files a RUN, CMD or ENTRYPOINT names inside a whole-context copy (`COPY . .`, then
   * `CMD ["deno", "run", "-A", "apps/web/main.ts"]`), as context paths: where the build expects which
   * part of the context, as `wholeCopyWorkdirs`.
   */
  get wholeCopyScripts(): CopySource[] {
    return this.walked.scripts;
  }

  /**
   * The CMDs and ENTRYPOINTs whose WORKDIR lies in a context folder a COPY put there, or in the whole
   * copy, as that folder (cover-generator's `COPY apps ./apps`, `WORKDIR /usr/local/apps/server`,
   * `ENTRYPOINT ["bun", "src/index.ts"]`: bun runs the sources, nothing builds them): what the image runs.
   */
  get startFolders(): CopySource[] {
    return this.walked.starts;
  }

  /**
   * The script files the CMDs and ENTRYPOINTs run by path inside folders COPYs filled from context
   * folders, as context paths (world-wide-webb's `COPY apps/api apps/api`, `WORKDIR /app`, `CMD ["bun",
   * "run", "apps/api/src/index.ts"]`): what the image runs, as `startFolders`.
   */
  get startScripts(): CopySource[] {
    return this.walked.startScripts;
  }

  /**
   * The FROMs whose image only build arguments declared without a default, and not given, leave open
   * (hatchet's `FROM $HATCHET_LITE_IMAGE`, its CI passes one): the engine finds no base image there.
   */
  get unsetBases(): Array<Omit<WrittenSource, 'source'> & { unset: NonNullable<WrittenSource['unset']> }> {
    return this.walked.bases;
  }

  /**
   * The images the build's stages start FROM (not earlier stages, not `scratch`), those a COPY or
   * ADD takes files `--from=` and those a RUN mounts (`--mount=…,from=`), as written and as the build expands them (undefined when only the
   * engine can tell): browserless's `FROM ghcr.io/browserless/base:$VERSION` with `ARG VERSION=latest`
   * before it.
   */
  get imageBases(): ImageBase[] {
    return this.walked.images;
  }

  /** Whether a RUN of the stages built bind-mounts files: from the context, a stage or an image. */
  get bindsInRun(): boolean {
    return this.walked.binds;
  }

  /**
   * The stages no other stage builds on (`FROM <stage>`, `COPY --from=<stage>`, a RUN mount `from=`):
   * the images the Dockerfile can build, by name (`#<index>` for one without). Several of them are
   * chosen between with `--target` (one image per stage); the build without one builds the last.
   */
  get finalStages(): string[] {
    return (this.stageUse ??= stageUseOf(this.steps, this.buildArgs)).finals;
  }

  /** The stages `--target` can name, in order (lower case, as the engine matches them). */
  get namedStages(): string[] {
    return (this.stageUse ??= stageUseOf(this.steps, this.buildArgs)).stages.filter((stage) => !stage.startsWith('#'));
  }

  /**
   * The final stages besides the last that are images of their own (latitude's api, web and workers
   * beside its last, migrations): a build without `--target` builds none of them. A development or
   * test stage beside the production one (`dev`, `test-e2e`: `namesDevelopment`) is no such image.
   */
  get otherImageStages(): string[] {
    return this.imageFinals().filter((stage) => !stage.startsWith('#'));
  }

  /**
   * The final stages besides the last that are images of their own and have no name (`FROM redis:7`
   * then `CMD …`, another stage after it), by the line of their FROM: never built, and `--target`
   * picks a named stage only.
   */
  get unnamedImageStages(): Array<{ line: number; instruction: string }> {
    const froms = this.steps.filter(isFrom);
    return this.imageFinals().flatMap((stage) => {
      const from = stage.startsWith('#') ? froms[Number(stage.slice(1))] : undefined;
      return from ? [{ line: from.line, instruction: from.text }] : [];
    });
  }

  private imageFinals(): string[] {
    const { scratch, bases, runs } = (this.stageUse ??= stageUseOf(this.steps, this.buildArgs));
    // A stage built on another of this file that runs nothing, itself or through the stages under it, is
    // a step left over (tegon's unused `production-deps` install), no image; one built FROM a registry's
    // image runs that image's command (`FROM nginx AS web`).
    const runnable = (stage: string) => {
      const seen = new Set<string>();
      for (let at: string | undefined = stage; at !== undefined && !seen.has(at); at = bases.get(at)) {
        if (runs.has(at)) return true;
        seen.add(at);
      }
      return !bases.has(stage);
    };
    // Where the last one runs nothing either, the command comes from elsewhere (Mist3rBru's stage per
    // service, each given its `command:` and `target:` by compose): running tells no image from a leftover.
    // Not where the last is a check (mf's `lint`, `build`, `unit_tests`, each built by a CI compose file).
    const last = this.finalStages.at(-1);
    const ranked = last === undefined || runnable(last) || namesDevelopment(last, /[-_.]/) ? runnable : () => true;
    // A scratch stage beside them holds files to export (`--output`: nocobase's app-artifact), no image to run.
    return this.finalStages
      .slice(0, -1)
      .filter((stage) => !namesDevelopment(stage, /[-_.]/) && !scratch.has(stage) && ranked(stage));
  }

  /**
   * Whether the image built is an artifact: its stage and those it is built FROM set no CMD or
   * ENTRYPOINT, down to `scratch`, and it takes another stage's files (konto's openapi-clients, `FROM
   * scratch` then `COPY --from=build /app/dist ./dist`: files other images copy, no server to call).
   */
  get runsNothing(): boolean {
    if (!/^\s*COPY\s[^\n]*--from=/im.test(this.text)) return false;
    const { stages, scratch, bases, runs } = (this.stageUse ??= stageUseOf(this.steps, this.buildArgs));
    const seen = new Set<string>();
    let at: string | undefined = this.target?.toLowerCase() ?? stages[stages.length - 1];
    for (; at !== undefined && !seen.has(at); at = bases.get(at)) {
      if (runs.has(at)) return false;
      seen.add(at);
      if (scratch.has(at)) return true;
    }
    return false;
  }

  /**
   * Stages other stages of this file are built FROM that run something of their own (CMD or
   * ENTRYPOINT): uptime-kuma's `release`, its main image, under `FROM release AS rootless`. No final
   * stage, yet often an image the repository ships; development and test stages aside.
   */
  get runnableBases(): string[] {
    const { bases, runs, aliases } = (this.stageUse ??= stageUseOf(this.steps, this.buildArgs));
    const built = new Set(bases.values());
    // One a stage names as it is (`FROM frontend-base AS frontend`) is an image by that name already.
    const named = new Set([...aliases].map((alias) => bases.get(alias)));
    return [...runs].filter(
      (stage) => built.has(stage) && !named.has(stage) && !namesDevelopment(stage, /[-_.]/) && !stage.startsWith('#'),
    );
  }

  /**
   * When the last stage is a development or test stage (AgentGPT's platform: `FROM prod AS dev` last,
   * its compose file builds `target: prod`): that stage, and the stage the service ships instead — the
   * one other final stage that is an image, else the nearest stage the last is built FROM that runs
   * something of its own (CMD or ENTRYPOINT); none when that is no single stage.
   */
  get developmentLast(): { last: string; ships: string | undefined } | undefined {
    const use = (this.stageUse ??= stageUseOf(this.steps, this.buildArgs));
    const last = use.finals[use.finals.length - 1];
    if (last === undefined || last.startsWith('#') || !namesDevelopment(last, /[-_.]/)) return undefined;
    const others = this.otherImageStages;
    if (others.length) return { last, ships: others.length === 1 ? others[0] : undefined };
    // A stage named again (`FROM dev AS dev`, which BuildKit refuses) must not loop: each is seen once.
    const seen = new Set([last]);
    // With no other stage under it that runs anything, the nearest development one that does: what the
    // repository builds (awesome-compose's `target: development` under its `dev-envs` tool image).
    let runsForDevelopment: string | undefined;
    let stage = use.bases.get(last);
    while (stage !== undefined && !seen.has(stage) && (namesDevelopment(stage, /[-_.]/) || !use.runs.has(stage))) {
      if (use.runs.has(stage)) runsForDevelopment ??= stage;
      seen.add(stage);
      stage = use.bases.get(stage);
    }
    return { last, ships: stage === undefined || seen.has(stage) ? runsForDevelopment : stage };
  }

  /**
   * The bare names a `COPY --from=` or a RUN mount reads that are no stage (electric's
   * `--from=electric-telemetry`, which its CI gives as `--build-context`): an image of that name from a
   * registry, or a named build context. Not references with a registry, tag or digest (`node:20`).
   */
  get foreignNames(): string[] {
    return (this.stageUse ??= stageUseOf(this.steps, this.buildArgs)).foreign.filter((ref) =>
      /^[a-z0-9][a-z0-9._-]*$/.test(ref),
    );
  }

  /**
   * Whether the file is two or more FROM lines of images, none built on another, and nothing else
   * (ARGs aside): testcontainers' modules list the images their tests run, one per line, for
   * Dependabot to keep current. It builds no image of its own — a build would only rename the last
   * one. (One FROM alone may be a mirror, kept.)
   */
  get listsImagesOnly(): boolean {
    return (
      this.steps.filter(isFrom).length > 1 &&
      this.steps.every((step) => isFrom(step) || /^ARG\s/i.test(step.text)) &&
      (this.stageUse ??= stageUseOf(this.steps, this.buildArgs)).bases.size === 0
    );
  }

  /**
   * Stages that are only `FROM scratch` and that others copy from (graphql-hive's `router_pkg`):
   * placeholders a named build context fills (`docker buildx bake` contexts, `--build-context`).
   */
  get placeholderStages(): string[] {
    return (this.stageUse ??= stageUseOf(this.steps, this.buildArgs)).placeholders;
  }

  private stageUse?: ReturnType<typeof stageUseOf>;

  /**
   * The RUN instructions of the stages built, each build argument, ARG default and ENV value the build
   * knows expanded, the rest (the shell's own variables) as written: shapeshift's one Dockerfile for
   * every API runs `yarn workspaces foreach -Rpt --from ${PACKAGE} run build`.
   */
  get runs(): Step[] {
    return this.walked.commands;
  }

  /** The CMD or ENTRYPOINT the built image starts with: the last one of the stages built. */
  get command(): Step | undefined {
    return this.builtSteps.filter(({ text }) => /^(?:CMD|ENTRYPOINT)\s/i.test(text)).at(-1);
  }

  /**
   * The lines of the RUNs (of the stages built) run in a folder the root package.json was copied to
   * last, and no other package.json: a script a package manager runs there is the root's, whatever
   * the project's own package.json calls the same (FVJohnny's template: `COPY package*.json ./`, then
   * `RUN npm run build` at /app, the root's `nx run-many -t build`, beside the service's `nest build`).
   */
  get rootManifestRuns(): ReadonlySet<number> {
    return this.walked.rootManifestRuns;
  }

  /** The same for the commands (CMD, ENTRYPOINT) of the stages built: a script they run there is the root's. */
  get rootManifestCommands(): ReadonlySet<number> {
    return this.walked.rootManifestCommands;
  }

  /**
   * The RUNs (of the stages built) run in a folder one COPY filled from a context folder other than
   * its root, by line, with that folder: a script a package manager runs there is that package's
   * (opencrvs' base image: `WORKDIR /app/packages/commons`, `RUN yarn build`, commons' own build).
   */
  get folderRuns(): ReadonlyMap<number, string> {
    return this.walked.folderRuns;
  }

  private get walked(): ReturnType<typeof walk> {
    return (this.parsed.walked ??= walk(this.builtSteps, this.buildArgs));
  }
}

function stageUseOf(
  steps: readonly Step[],
  buildArgs: BuildArgs,
): {
  finals: string[];
  placeholders: string[];
  scratch: Set<string>;
  /** A stage's base when it is built FROM another stage. */
  bases: Map<string, string>;
  /** The stages that set a CMD or ENTRYPOINT of their own. */
  runs: Set<string>;
  /** What `--from=` and mounts name that is no stage: images, or named build contexts. */
  foreign: string[];
  /** The stages that are only their FROM another stage: that stage by another name. */
  aliases: Set<string>;
  /** Every stage, in order: its name, or `#<index>`. */
  stages: string[];
} {
  const stages: string[] = [];
  const scratch = new Set<string>();
  const bases = new Map<string, string>();
  const runs = new Set<string>();
  const used = new Set<string>();
  const use = (reference: string) => {
    const ref = reference.toLowerCase();
    // A stage is named, or numbered from 0 in the order of its FROM.
    used.add(/^\d+$/.test(ref) ? (stages[Number(ref)] ?? ref) : ref);
  };
  // A stage that is only its FROM (plane's unused `binfmt`, a placeholder `FROM scratch AS x`) builds no image of its own.
  const bare = new Set<string>();
  const expanded = globalExpansion(steps, buildArgs);
  for (const { text } of steps) {
    const [keyword, ...words] = text.split(/\s+/);
    const instruction = keyword?.toUpperCase();
    if (instruction === 'FROM') {
      const { image: written, name } = stageOf(words, stages.length);
      // A stage a build argument's value names (gram's `FROM ${RUNNER_SOURCE}`, `runner-builder` by default).
      const value = written?.includes('$') ? expanded(written) : written;
      const image = value === '$' ? written : value;
      if (image && stages.includes(image.toLowerCase())) {
        use(image);
        bases.set(name, image.toLowerCase());
      }
      // A stage chosen by a build argument (etherpad's `FROM build_${BUILD_ENV}`): any it may name is used,
      // whatever its default names.
      if (written?.includes('$')) stages.filter((stage) => variablePattern(written)?.test(stage)).forEach(use);
      stages.push(name);
      bare.add(stages[stages.length - 1]!);
      if (image?.toLowerCase() === 'scratch') scratch.add(stages[stages.length - 1]!);
      continue;
    }
    bare.delete(stages[stages.length - 1]!);
    if (instruction === 'CMD' || instruction === 'ENTRYPOINT') runs.add(stages[stages.length - 1]!);
    if (instruction === 'COPY' || instruction === 'ADD' || instruction === 'RUN') stageReferences(text).forEach(use);
  }
  return {
    stages,
    // The last stage is what a build without --target builds, bare or not; a bare one FROM another
    // stage is that stage's image under a name of its own (tamanu's `FROM frontend-base AS frontend`).
    finals: stages.filter(
      (stage, i) => !used.has(stage) && (!bare.has(stage) || bases.has(stage) || i === stages.length - 1),
    ),
    placeholders: stages.filter((stage) => used.has(stage) && bare.has(stage) && scratch.has(stage)),
    scratch,
    bases,
    runs,
    foreign: [...used].filter((ref) => !stages.includes(ref)),
    aliases: new Set([...bare].filter((stage) => bases.has(stage))),
  };
}

/**
 * A FROM's image with variables as wildcards, matched against whole stage names; none for a variable
 * alone (`FROM ${BASE_IMAGE}`), an image name far more often than a stage's.
 */
function variablePattern(image: string): RegExp | undefined {
  const parts = image.toLowerCase().split(/\$\{[^}]*\}|\$\w+/);
  if (parts.every((part) => part === '')) return undefined;
  return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^()|[\]\\{}]/g, '\\$&')).join('.*')}$`);
}

/** An ADD source fetched from the network: a URL, or a git remote. */
const REMOTE_SOURCE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i;

/** A FROM's image and the stage's name: its `AS` name in lower case, else `#<index>`. */
function stageOf(words: readonly string[], index: number): { image: string | undefined; name: string } {
  const [image, as, name] = words.filter((word) => !word.startsWith('--'));
  return { image, name: as?.toLowerCase() === 'as' && name ? name.toLowerCase() : `#${index}` };
}

/** The stages (or images) a COPY, ADD or RUN reads from: `--from=x`, a mount's `from=x`. */
function stageReferences(text: string): string[] {
  return [...text.matchAll(/(?:--from=|[,=\s]from=)([^\s,]+)/g)].map(([, from]) => from!.replace(/^["']|["']$/g, ''));
}

/**
 * The instructions a build of `target` runs: those before the first FROM, and the stages the target
 * needs — itself, the stage it is built FROM, those it copies or mounts from, transitively (BuildKit
 * and buildah skip the others: Flagsmith's `oss-api` never reads what `build-node` copies). A FROM's
 * image is expanded with the build arguments declared before the first FROM; every instruction is
 * read when a reference only the build can tell, or the target is no stage.
 */
function stepsFor(steps: readonly Step[], target: string | undefined, buildArgs: BuildArgs): readonly Step[] {
  const stages: Array<{ name: string; steps: Step[]; needs: string[] }> = [];
  const global: Step[] = [];
  const expanded = globalExpansion(steps, buildArgs);
  for (const step of steps) {
    const [keyword, ...words] = step.text.split(/\s+/);
    if (keyword?.toUpperCase() === 'FROM') {
      const { image, name } = stageOf(words, stages.length);
      stages.push({ name, steps: [step], needs: image ? [expanded(image).toLowerCase()] : [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      global.push(step);
      continue;
    }
    stage.steps.push(step);
    if (/^(?:COPY|ADD|RUN)$/i.test(keyword ?? ''))
      stage.needs.push(...stageReferences(step.text).map((ref) => ref.toLowerCase()));
  }
  const byName = (ref: string) =>
    /^\d+$/.test(ref) ? stages[Number(ref)] : stages.find((stage) => stage.name === ref);
  const wanted = target === undefined ? stages.at(-1) : byName(target.toLowerCase());
  if (!wanted || stages.some((stage) => stage.needs.some((ref) => ref.includes('$')))) return steps;
  const reached = new Set([wanted]);
  for (const stage of reached)
    for (const ref of stage.needs) {
      const needed = byName(ref);
      if (needed) reached.add(needed);
    }
  const kept = new Set([...global, ...stages.filter((stage) => reached.has(stage)).flatMap((stage) => stage.steps)]);
  return steps.filter((step) => kept.has(step));
}

/**
 * A word with the build arguments declared before the first FROM expanded, as a FROM sees them: the
 * value given, else the default (which may name an argument declared before it: kanbn's `ARG
 * IMAGE=…nodejs${NODE_VERSION}-debian12`); `$` when one has neither.
 */
function globalExpansion(steps: readonly Step[], buildArgs: BuildArgs): (word: string) => string {
  const globalArgs = new Map<string, string | undefined>();
  const expanded = (word: string) => {
    let open = false;
    const value = word.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs.get(name) ?? ((open = true), ''));
    return open ? '$' : value;
  };
  for (const step of steps) {
    const [keyword] = step.text.split(/\s+/, 1);
    if (keyword?.toUpperCase() === 'FROM') break;
    if (keyword?.toUpperCase() === 'ARG')
      for (const word of shellWords(step.text.slice(4))) {
        const eq = word.indexOf('=');
        const arg = eq < 0 ? word : word.slice(0, eq);
        globalArgs.set(arg, buildArgs[arg] ?? (eq < 0 ? undefined : expanded(word.slice(eq + 1))));
      }
  }
  return expanded;
}

function isFrom(step: Step): boolean {
  return /^FROM\s/i.test(step.text);
}

/** An image the build takes (a FROM, a `--from=`, a RUN mount's `from=`): the word written, and what the build expands it to. */
export interface ImageBase {
  line: number;
  written: string;
  image: string | undefined;
  via: 'FROM' | '--from' | 'mount';
}

/** An instruction with its first line. */
export interface Step {
  line: number;
  text: string;
}

/**
 * One walk of the instructions, each seeing the variables the build gives it: the context sources
 * of every COPY/ADD and RUN bind mount, and what later stages take from a stage that copied the
 * whole context (`wholeCopyReads`), and the WORKDIRs inside such a copy (`wholeCopyWorkdirs`).
 */
function walk(
  steps: readonly Step[],
  buildArgs: BuildArgs,
): {
  written: WrittenSource[];
  reads: CopySource[];
  workdirs: CopySource[];
  builds: CopySource[];
  starts: CopySource[];
  startScripts: CopySource[];
  scripts: CopySource[];
  bases: Array<Omit<WrittenSource, 'source'> & { unset: NonNullable<WrittenSource['unset']> }>;
  images: ImageBase[];
  binds: boolean;
  commands: Step[];
  rootManifestRuns: Set<number>;
  rootManifestCommands: Set<number>;
  folderRuns: Map<number, string>;
  selected: Array<{ step: Step; args: string[] }>;
} {
  const variables = new BuildVariables(buildArgs);
  const selected: Array<{ step: Step; args: string[] }> = [];
  const commands: Step[] = [];
  const images: ImageBase[] = [];
  let binds = false;
  const written: WrittenSource[] = [];
  const reads: CopySource[] = [];
  const workdirs: CopySource[] = [];
  const builds: CopySource[] = [];
  const starts: CopySource[] = [];
  const startScripts: CopySource[] = [];
  const scripts: CopySource[] = [];
  const rootManifestRuns = new Set<number>();
  const rootManifestCommands = new Set<number>();
  const folderRuns = new Map<number, string>();
  const bases: Array<Omit<WrittenSource, 'source'> & { unset: NonNullable<WrittenSource['unset']> }> = [];
  interface Stage {
    name: string | undefined;
    workdir: string;
    /** Where in its filesystem the whole context was copied. */
    root: string | undefined;
    /** Which context source each folder of the stage's filesystem was last filled from, by one COPY. */
    copied: Map<string, string>;
    /** The folders whose package.json is the root's: copied there last. */
    rootManifests: Set<string>;
    /** The build arguments without a value its WORKDIR was written with (`WORKDIR /app/apps/${APP}`). */
    workdirUnset?: string[];
  }
  /** The stages by name: one built FROM another starts with its WORKDIR, its files and its copy of the context (AppFlowy's `chef`). */
  const named = new Map<string, Stage>();
  let stage: Stage | undefined;
  for (const { line, text } of steps) {
    const match = /^([a-z]+)\s+(.*)$/is.exec(text);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const rest = match[2]!;
    const instruction = `${keyword} ${rest.trim()}`;
    if (keyword === 'FROM') {
      const image = rest.split(/\s+/).find((word) => word && !word.startsWith('--'));
      const unset = image?.includes('$') ? variables.unsetInBase(image) : undefined;
      if (image && unset) bases.push({ line, instruction, written: image, unset });
      const value = image && variables.baseValue(image);
      if (image && value?.toLowerCase() !== 'scratch' && !named.has(value?.toLowerCase() ?? ''))
        images.push({ line, written: image, image: value, via: 'FROM' });
      variables.enterStage(rest);
      const words = rest.split(/\s+/).filter((word) => word && !word.startsWith('--'));
      const name = words[1]?.toLowerCase() === 'as' ? words[2]?.toLowerCase() : undefined;
      const base = named.get(words[0]?.toLowerCase() ?? '');
      stage = {
        name,
        workdir: base?.workdir ?? '/',
        root: base?.root,
        copied: new Map(base?.copied),
        rootManifests: new Set(base?.rootManifests),
      };
      if (name) named.set(name, stage);
    } else if (keyword === 'ARG') variables.declareArgs(rest);
    else if (keyword === 'ENV') variables.setEnv(rest);
    else if (keyword === 'WORKDIR' && stage) {
      const dir = wordValue(rest.trim(), variables);
      const unset: string[] = [];
      if (dir === undefined) wordValue(rest.trim(), variables, unset);
      stage.workdirUnset = unset.length ? unset : undefined;
      if (dir !== undefined) stage.workdir = posix.resolve(stage.workdir, dir);
      const inside =
        dir === undefined || stage.root === undefined ? undefined : posix.relative(stage.root, stage.workdir);
      if (inside && !inside.startsWith('..')) workdirs.push({ line, instruction, source: inside });
    } else if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && stage) {
      const inCopy = stage.root === undefined ? undefined : posix.relative(stage.root, stage.workdir);
      const copied = copiedAt(stage.copied, stage.workdir);
      // Files copied into the folder (`COPY packages/server/package*.json ./packages/server/`): their folder.
      const folder = copied !== undefined && namesFiles(posix.basename(copied)) ? posix.dirname(copied) : copied;
      const source = folder ?? (inCopy?.startsWith('..') ? undefined : inCopy);
      if (source && contextPath(source) !== '.') starts.push({ line, instruction, source });
      // Its sources run by their path from elsewhere (`WORKDIR /app`, `CMD ["bun", "run", "apps/api/src/index.ts"]`).
      startScripts.push(
        ...scriptsNamed(rest, stage.workdir, { line, instruction }, (path) => contextCopiedAt(stage!.copied, path)),
      );
      scripts.push(...scriptsInCopy(stage, rest, { line, instruction }));
      if (stage.rootManifests.has(stage.workdir)) rootManifestCommands.add(line);
    } else if (keyword === 'RUN') {
      commands.push({ line, text: `RUN ${expandKnown(rest, variables)}` });
      scripts.push(...scriptsInCopy(stage, rest, { line, instruction }));
      const mounts = runMounts(rest);
      binds ||= mounts.some(isBind);
      for (const mount of contextMounts(mounts))
        written.push({ line, instruction, written: mount, source: variables.sourceValue(mount) });
      for (const fromWord of mounts.flatMap((fields) => fields.get('from') ?? []))
        if (isImage(fromWord, named))
          images.push({ line, written: fromWord, image: wordValue(fromWord, variables), via: 'mount' });
      if (stage?.rootManifests.has(stage.workdir)) rootManifestRuns.add(line);
      const here = stage?.copied.get(stage.workdir);
      if (here !== undefined && !rootManifestRuns.has(line) && contextPath(here) !== '.') folderRuns.set(line, here);
      // Most RUNs build nothing and move nowhere in a whole copy: not split into the shell's commands.
      const entersCopy = stage?.root !== undefined && /(?:^|[\s;&|(])cd\s/.test(rest);
      const local =
        stage && (BUILD_WORD.test(rest) || entersCopy)
          ? runFolders(rest, stage.workdir)
          : { folders: [], selectedBy: [], entered: [] };
      // A `cd` into the whole copy works in its layout as a WORKDIR there does (`RUN cd apps/api && uv sync`).
      if (entersCopy)
        for (const folder of local.entered) {
          const inside = posix.relative(stage!.root!, folder);
          if (inside && !inside.startsWith('..')) workdirs.push({ line, instruction, source: inside });
        }
      for (const folder of local.folders) {
        const source = copiedAt(stage!.copied, folder);
        if (source !== undefined) builds.push({ line, instruction, source });
      }
      // A build whose folder a build argument without a value names (bins' `cd packages/$APP_NAME && yarn build`).
      const chosenBy = [
        ...local.selectedBy,
        ...(local.folders.includes(stage?.workdir ?? '') ? (stage?.workdirUnset ?? []) : []),
      ].filter((name) => variables.expand(`\${${name}}`) === undefined);
      if (chosenBy.length) selected.push({ step: { line, text: `RUN ${rest.trim()}` }, args: [...new Set(chosenBy)] });
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const args = argumentsOf(rest);
      if (!args || args.some((arg) => arg.startsWith('<<'))) continue;
      const paths = args.filter((arg) => !arg.startsWith('--'));
      const values = paths.map((path, i) =>
        i < paths.length - 1 ? variables.sourceValue(path) : wordValue(path, variables),
      );
      if (args.some((arg) => /^--from(=|$)/i.test(arg))) {
        const fromWord = args.find((arg) => /^--from=/i.test(arg))?.slice('--from='.length);
        const from = fromWord?.toLowerCase();
        if (fromWord !== undefined && isImage(fromWord, named))
          images.push({ line, written: fromWord, image: wordValue(fromWord, variables), via: '--from' });
        const dest = values.at(-1);
        const fromStage = named.get(from ?? '');
        // A context folder an earlier stage holds, copied on (world-wide-webb's runtime stage: `COPY
        // --from=build /app/apps/api apps/api`, then `CMD ["bun", "run", "apps/api/src/index.ts"]`).
        const held =
          keyword === 'COPY' && fromStage && values.length === 2 && values[0] !== undefined
            ? contextCopiedAt(fromStage.copied, posix.resolve('/', values[0]))
            : undefined;
        const into = stage && dest !== undefined ? posix.resolve(stage.workdir, dest) : undefined;
        // As a context COPY's: a file copied into a folder leaves it that folder's.
        if (held !== undefined && into !== undefined && contextPath(held) !== '.')
          if (!stage!.copied.has(into) || !namesFile(held, dest!)) stage!.copied.set(into, held);
        const root = keyword === 'COPY' ? fromStage?.root : undefined;
        if (root === undefined) continue;
        for (const source of values.slice(0, -1)) {
          const path = source === undefined ? undefined : posix.relative(root, posix.resolve('/', source));
          if (path && !path.startsWith('..')) reads.push({ line, instruction, source: path });
          // The copy's whole tree taken on (`COPY --from=builder /app .`): this stage has the copy's layout.
          if (path === '' && stage && dest !== undefined && values.length === 2)
            stage.root = posix.resolve(stage.workdir, dest);
        }
        continue;
      }
      const excluded = args.flatMap((arg) =>
        /^--exclude=/i.test(arg) ? shellWords(arg.slice('--exclude='.length)) : [],
      );
      const exclude = excluded.length ? { exclude: excluded } : {};
      paths.slice(0, -1).forEach((word, i) => {
        const source = values[i];
        // A URL is remote whatever its variables hold (opentelemetry-demo's ADD of an agent release by version).
        if ([word.replace(/^["']/, ''), source ?? ''].some((text) => REMOTE_SOURCE.test(text))) return;
        const unset = source === undefined ? unsetArgs(word, variables) : undefined;
        written.push({ line, instruction, written: word, source, ...(unset ? { unset } : {}), ...exclude });
      });
      const dest = values.at(-1);
      if (keyword === 'COPY' && stage && dest !== undefined) noteManifests(stage, values.slice(0, -1), dest);
      // One source copied into a folder: what a build run there builds. A file copied into it after
      // (aws-lambda-supergraph's `COPY subgraphs/users/schema.graphql ./`, an `.npmrc`) leaves it so.
      const into = dest === undefined || !stage ? undefined : posix.resolve(stage.workdir, dest);
      if (keyword === 'COPY' && into !== undefined && values.length === 2 && values[0] !== undefined) {
        // The whole context copied over what went there before (remote-swe-agents' manifests, copied
        // first into `packages/webapp/`): its folders are the context's again.
        const below = into === '/' ? '/' : `${into}/`;
        if (contextPath(values[0]) === '.')
          for (const folder of stage!.copied.keys())
            if (folder !== into && folder.startsWith(below)) stage!.copied.delete(folder);
        if (!stage!.copied.has(into) || !namesFile(values[0], dest!)) stage!.copied.set(into, values[0]);
      }
      if (
        keyword === 'COPY' &&
        stage &&
        dest !== undefined &&
        values.slice(0, -1).some((v) => v === '.' || v === './')
      ) {
        stage.root = posix.resolve(stage.workdir, dest);
      }
    }
  }
  return {
    written,
    reads,
    workdirs,
    builds,
    starts,
    startScripts,
    scripts,
    bases,
    images,
    binds,
    commands,
    rootManifestRuns,
    rootManifestCommands,
    folderRuns,
    selected,
  };
}

/** The script files a command names (`deno run -A apps/web/main.ts`, `node apps/api/main.js`) inside the stage's whole copy, as context paths. */
function scriptsInCopy(
  stage: { workdir: string; root: string | undefined } | undefined,
  command: string,
  at: { line: number; instruction: string },
): CopySource[] {
  const root = stage?.root;
  if (root === undefined) return [];
  return scriptsNamed(command, stage!.workdir, at, (path) => {
    const inside = posix.relative(root, path);
    return inside && !inside.startsWith('..') ? inside : undefined;
  });
}

/** The script files a command names by path, resolved from its WORKDIR, as `contextOf` places them in the context. */
function scriptsNamed(
  command: string,
  workdir: string,
  at: { line: number; instruction: string },
  contextOf: (path: string) => string | undefined,
): CopySource[] {
  return [...command.matchAll(SCRIPT_PATH)].flatMap(([word]) => {
    const source = contextOf(posix.resolve(workdir, word));
    return source ? [{ ...at, source }] : [];
  });
}

/** A path naming a script file, relative or absolute (`/app/apps/api/main.js`): a folder at least, no variable, no URL. */
const SCRIPT_PATH = /(?<![\w$:/.-])(?:\.?\/)?[\w@.-]+(?:\/[\w@.-]+)+\.[cm]?[jt]sx?(?![\w/])/g;

/**
 * The folders a RUN's builds run in: its WORKDIR, or where a `cd` to a literal folder before them
 * moves (juxtaposition's `RUN cd apps/miiverse-api && npm run build`); and the variables that name the
 * folder of a build instead (`cd packages/$APP_NAME && yarn build`, `pnpm -C apps/$APP build`); and the
 * literal folders its `cd`s enter, whatever runs there.
 */
function runFolders(run: string, workdir: string): { folders: string[]; selectedBy: string[]; entered: string[] } {
  // Undefined after a `cd` the reading cannot follow (a variable, `cd -`).
  let cwd: string | undefined = workdir;
  let cwdVariables: string[] = [];
  const folders = new Set<string>();
  const selectedBy = new Set<string>();
  const entered: string[] = [];
  for (const line of run.replace(/^(?:--\S+\s+)*/, '').split('\n'))
    for (const { words } of shellCommands(line)) {
      const [first, target, ...more] = words;
      if (first?.text === 'cd') {
        const literal = target && !more.length && !target.dynamic && !target.variables.length && target.text !== '-';
        cwd = literal && cwd !== undefined ? posix.resolve(cwd, target.text) : undefined;
        cwdVariables = target?.variables ?? [];
        if (cwd !== undefined) entered.push(cwd);
        continue;
      }
      const command = words.map((word) => word.text).join(' ');
      if (/\bbuild/.test(command))
        words.forEach((word, i) => {
          const flagged = FOLDER_FLAGS.has(words[i - 1]?.text ?? '') || /^--(?:dir|cwd|prefix)=/.test(word.text);
          if (flagged) word.variables.forEach((name) => selectedBy.add(name));
        });
      if (!LOCAL_BUILD.test(command) || WORKSPACE_SELECTOR.test(` ${command}`)) continue;
      if (cwd !== undefined) folders.add(cwd);
      else cwdVariables.forEach((name) => selectedBy.add(name));
    }
  return { folders: [...folders], selectedBy: [...selectedBy], entered };
}

/** Words without which a RUN runs no build `runFolders` finds (LOCAL_BUILD's, and a `build…` script's). */
const BUILD_WORD = /build|\bbundle|\btsc\b|\bmake\b|\bnuxt\s+generate|\bwebpack|\brollup\b|\besbuild\b|\btsup\b/;

/** Flags that run a package manager's build in another folder (`pnpm -C apps/$APP build`). */
const FOLDER_FLAGS = new Set(['-C', '--dir', '--cwd', '--prefix']);

/**
 * The context path a stage's folder holds, by the COPY that filled it or a folder above it (`COPY . .`
 * at /app, then `WORKDIR /app/apps/web`: `apps/web`); the context's root itself only as copied there.
 */
/** Whether a COPY's source is a file put into the destination folder: a name with an extension, or a dotfile, into `./`, `.` or `<folder>/`. */
function namesFile(source: string, dest: string): boolean {
  return (dest === '.' || dest.endsWith('/')) && !source.endsWith('/') && FILE_NAME.test(posix.basename(source));
}

/** A name with an extension, or a dotfile: a file's, not a folder's. */
const FILE_NAME = /^\.[^./]|\.[^./]+$/;

/** Whether a COPY source's last word names files: a file's name, or a pattern (`package*.json`). */
function namesFiles(name: string): boolean {
  return /[*?[]/.test(name) || FILE_NAME.test(name);
}

function copiedAt(copied: ReadonlyMap<string, string>, folder: string): string | undefined {
  const held = copyHolding(copied, folder);
  if (held?.folder === folder) return held.source;
  return held && posix.join(contextPath(held.source), posix.relative(held.folder, folder));
}

/**
 * The context path of a path in a folder one COPY of a context folder filled (`COPY apps/api apps/api`,
 * or the whole context); none where only files were copied (its manifests): the path is not the
 * context's. Files copied into a folder below leave the folder copy's files there.
 */
function contextCopiedAt(copied: ReadonlyMap<string, string>, path: string): string | undefined {
  for (let held = copyHolding(copied, path); held;) {
    if (!namesFiles(posix.basename(held.source)))
      return posix.join(contextPath(held.source), posix.relative(held.folder, path));
    held = held.folder === '/' ? undefined : copyHolding(copied, posix.dirname(held.folder));
  }
  return undefined;
}

/** The nearest folder at or above a path that one COPY filled, with its source. */
function copyHolding(
  copied: ReadonlyMap<string, string>,
  path: string,
): { folder: string; source: string } | undefined {
  for (let at = path; ; at = posix.dirname(at)) {
    const source = copied.get(at);
    if (source !== undefined) return { folder: at, source };
    if (at === '/') return undefined;
  }
}

/** Where a COPY puts a package.json: the root's (by name, a glob taking it, the whole context), or another's. */
function noteManifests(
  stage: { workdir: string; rootManifests: Set<string> },
  sources: ReadonlyArray<string | undefined>,
  dest: string,
): void {
  const target = posix.resolve(stage.workdir, dest);
  // Into a folder, unless one source is written to a file of that name.
  const single = sources.length === 1 && !/\/\.?$/.test(dest) && dest !== '.';
  const folder = single && posix.basename(target) === 'package.json' ? posix.dirname(target) : target;
  for (const source of sources) {
    if (source === undefined) continue;
    const path = posix.normalize(source).replace(/\/+$/, '');
    if (path === '.' || (!path.includes('/') && picomatch(path)('package.json'))) stage.rootManifests.add(folder);
    else if (posix.basename(path) === 'package.json' || (single && folder === target && path !== '.'))
      stage.rootManifests.delete(folder);
  }
}

/** An image a `--from=` or a mount's `from=` names, not a stage: a stage is named before it is used, or numbered. */
function isImage(fromWord: string, stageNames: Pick<ReadonlyMap<string, unknown>, 'has'>): boolean {
  return !stageNames.has(fromWord.toLowerCase()) && !/^\d+$/.test(fromWord);
}

/**
 * A build run in the folder it is in: a package's `build…` script, `tsc`, `nest build`, bun's bundler
 * (world-wide-webb's `cd apps/temporal-worker && bun build src/index.ts --outfile …`), another bundler or a
 * framework's CLI (`npx vite build`, `ng build`, `webpack`: round 98b's micro-frontend), or a command
 * make with its default goal or a `build…` one (kubernetes/dashboard's `make build-frontend`; not
 * `apt-get install make`).
 */
const LOCAL_BUILD =
  /(?:^|[;&|]\s*|\s)(?:(?:npm|bun)\s+run(?:-script)?\s+(?:build|bundle)[\w:-]*|(?:yarn|pnpm)\s+(?:run\s+)?(?:build|bundle)[\w:-]*|(?:npx\s+)?tsc|(?:npx\s+)?nest\s+build|bun\s+build|(?:(?:npx|bunx|pnpm\s+(?:exec|dlx)|yarn(?:\s+exec)?)\s+)?(?:(?:vite|ng|astro|next|svelte-kit|react-scripts|parcel|ncc|rspack)\s+build|nuxt\s+(?:build|generate)|webpack(?:-cli)?|rollup|esbuild|tsup))(?=\s|$|[;&|])|(?:^|[;&|]\s*)make(?:\s+-\S+)*(?:\s+build[\w.:-]*)?(?=\s*(?:$|[;&|]))/;
/** Flags that send a package manager's build elsewhere than the folder it runs in. */
const WORKSPACE_SELECTOR =
  /\s(?:-w|--workspace|--workspaces|-ws|--filter|-F|-r|--recursive|--prefix|-C|--cwd)(?:[\s=]|$)|\byarn\s+workspace/;

/**
 * The variables a Dockerfile instruction sees, by Docker's rules: an ARG declared in the stage (the
 * build argument given, else its default; a bare `ARG x` takes the default declared before the
 * first FROM), then the stage's ENV, which wins over an ARG of the same name and passes to a stage
 * built `FROM` it. A variable whose value only the build knows (no default, no build argument, the
 * platform's `TARGETARCH`…) leaves the word unexpanded.
 */
class BuildVariables {
  private readonly globalArgs = new Map<string, string | undefined>();
  private readonly stageEnv = new Map<string, Map<string, EnvValue>>();
  private readonly stageArgs = new Map<string, Map<string, string | undefined>>();
  private args: Map<string, string | undefined> | undefined;
  private env = new Map<string, EnvValue>();
  private anyPlatform = false;

  constructor(private readonly buildArgs: BuildArgs) {}

  /**
   * A COPY/ADD or bind mount source: a platform argument the builder sets (sealos's `COPY
   * bin/controller-$TARGETARCH`) matches every platform's value, so each platform's file is read,
   * whichever platforms the build is given.
   */
  sourceValue(word: string): string | undefined {
    this.anyPlatform = true;
    try {
      return wordValue(word, this);
    } finally {
      this.anyPlatform = false;
    }
  }

  /**
   * A stage built FROM another stage of the file starts with its environment and its build arguments
   * (BuildKit's and buildah's rule: `ARG APP=web` in `base` is `web` in `FROM base AS build`).
   */
  enterStage(rest: string): void {
    const words = rest.split(/\s+/).filter((word) => word && !word.startsWith('--'));
    const parent = words[0]?.toLowerCase() ?? '';
    this.env = new Map(this.stageEnv.get(parent) ?? []);
    this.args = new Map(this.stageArgs.get(parent) ?? []);
    if (words[1]?.toLowerCase() === 'as' && words[2]) {
      this.stageEnv.set(words[2].toLowerCase(), this.env);
      this.stageArgs.set(words[2].toLowerCase(), this.args);
    }
  }

  declareArgs(rest: string): void {
    for (const word of shellWords(rest)) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word : word.slice(0, eq);
      // A bare `ARG x` in a stage takes the global default; before the first FROM it has none.
      const declared = eq >= 0 ? this.expand(word.slice(eq + 1)) : this.args ? this.globalArgs.get(name) : undefined;
      (this.args ?? this.globalArgs).set(name, this.buildArgs[name] ?? declared);
    }
  }

  /**
   * A FROM's image word seen with the build arguments declared before the first FROM only, as the
   * build expands it: the arguments left without a value, and the word as the engine expands it then.
   */
  unsetInBase(word: string): WrittenSource['unset'] {
    return this.beforeStages(() => unsetArgs(word, this));
  }

  /** A FROM's image word as the build expands it: with the build arguments declared before the first FROM. */
  baseValue(word: string): string | undefined {
    return this.beforeStages(() => wordValue(word, this));
  }

  private beforeStages<T>(read: () => T): T {
    const [args, env] = [this.args, this.env];
    this.args = this.globalArgs;
    this.env = new Map();
    try {
      return read();
    } finally {
      this.args = args;
      this.env = env;
    }
  }

  setEnv(rest: string): void {
    const words = shellWords(rest);
    // The legacy form `ENV name value with spaces` sets one variable.
    const pairs = words[0]?.includes('=')
      ? words.map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] as const)
      : words.length > 1
        ? [[words[0]!, words.slice(1).join(' ')] as const]
        : [];
    for (const [name, value] of pairs) {
      const expanded = this.expand(value);
      if (expanded !== undefined) {
        this.env.set(name, expanded);
        continue;
      }
      // `ENV SCOPE=${SCOPE}` of an unset build argument: empty at build time, as the argument is.
      const args: string[] = [];
      const engine = this.expand(value, args);
      this.env.set(name, engine !== undefined && args.length ? { engine, args } : undefined);
    }
  }

  /**
   * The word with `$x`, `${x}`, `${x:-word}` and `${x:+word}` expanded; undefined when one cannot be.
   * Given `unset`, a build argument declared without a value (none given, no default, not one the
   * builder sets) expands to nothing, as the engine expands it, and its name is added there.
   */
  expand(word: string, unset?: string[]): string | undefined {
    if (word.includes('\\$')) return undefined;
    let unknown = false;
    const expanded = word.replace(
      /\$(?:\{([A-Za-z_]\w*)(?:(:[-+])([^}]*))?\}|([A-Za-z_]\w*)|(\{[^}]*\}?))/g,
      (
        _,
        braced: string | undefined,
        modifier: string | undefined,
        alternative: string | undefined,
        bare: string | undefined,
      ) => {
        const name = braced ?? bare;
        if (name === undefined) return ((unknown = true), '');
        const fromEnv = this.env.has(name);
        const declared = fromEnv || this.args?.has(name) === true;
        const raw = fromEnv ? this.env.get(name) : this.args?.get(name);
        let value = typeof raw === 'object' ? undefined : raw;
        if (declared && value === undefined && this.anyPlatform && !fromEnv && PLATFORM_ARGS.test(name))
          value = name.endsWith('PLATFORM') ? '*/**' : '*';
        if (declared && value === undefined) {
          const open =
            typeof raw === 'object'
              ? raw
              : !fromEnv && !AUTOMATIC_ARGS.test(name)
                ? { engine: '', args: [name] }
                : undefined;
          if (!unset || !open) return ((unknown = true), '');
          unset.push(...open.args);
          value = open.engine;
        }
        if (modifier === ':-') return value ? value : (this.expand(alternative!, unset) ?? ((unknown = true), ''));
        if (modifier === ':+') return value ? (this.expand(alternative!, unset) ?? ((unknown = true), '')) : '';
        if (!declared) return ((unknown = true), '');
        return value!;
      },
    );
    return unknown ? undefined : expanded;
  }
}

/**
 * A COPY/ADD word as BuildKit reads it once it split the instruction at whitespace: its shell
 * lexer removes the quotes (generators such as Dofigen write `COPY "." "/app/"`) and expands
 * variables outside single quotes. Undefined where only the engine can tell (a quote left open).
 */
function wordValue(word: string, variables: BuildVariables, unset?: string[]): string | undefined {
  if (!/["'$]/.test(word)) return word;
  let value = '';
  let read = 0;
  for (const part of word.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([^"']+)/g)) {
    if (part.index !== read) return undefined;
    read += part[0].length;
    const text = part[2] ?? variables.expand(part[1] ?? part[3]!, unset);
    if (text === undefined) return undefined;
    value += text;
  }
  return read === word.length ? value : undefined;
}

/** A RUN's text with the variables the build knows expanded, every other `$` left as written. */
function expandKnown(text: string, variables: BuildVariables): string {
  return text.replace(
    /\$(?:\{[A-Za-z_]\w*(?::[-+][^}]*)?\}|[A-Za-z_]\w*)/g,
    (variable) => variables.expand(variable) ?? variable,
  );
}

/** The build arguments without a value that alone leave a word unexpanded, and the word as the engine expands it then. */
function unsetArgs(word: string, variables: BuildVariables): WrittenSource['unset'] {
  const args: string[] = [];
  const source = wordValue(word, variables, args);
  return source === undefined || !args.length ? undefined : { args: [...new Set(args)], source };
}

/**
 * A RUN's mounts, each as its fields (`type=bind,source=src` → type: bind, source: src). BuildKit takes
 * a flag's value quoted too (`--mount="type=cache,target=/root/.cache/pip"`), quotes removed.
 */
function runMounts(rest: string): Array<Map<string, string>> {
  // The RUN's own flags, before its command: `--mount=` in the command is the command's.
  const flags = /^(?:\s*--(?:"[^"]*"|'[^']*'|[^\s"'])+)+/.exec(rest)?.[0] ?? '';
  return [...flags.matchAll(/(?:^|\s)--mount=((?:"[^"]*"|'[^']*'|[^\s"'])+)/g)].map(
    (flag) =>
      new Map(
        shellWords(flag[1]!)
          .join('')
          .split(',')
          .map((field) => {
            const eq = field.indexOf('=');
            return [eq < 0 ? field : field.slice(0, eq), eq < 0 ? '' : field.slice(eq + 1)] as const;
          }),
      ),
  );
}

/**
 * The context paths a RUN's bind mounts read: `--mount=[type=bind,]source=<path>` (`src` too; the
 * context's root without one), not those of another stage or image (`from=`) nor caches, secrets,
 * SSH sockets or tmpfs.
 */
function contextMounts(mounts: ReadonlyArray<Map<string, string>>): string[] {
  return mounts.flatMap((fields) =>
    !isBind(fields) || fields.has('from') ? [] : [fields.get('source') ?? fields.get('src') ?? '.'],
  );
}

/** A bind mount: `type=bind`, or no type (BuildKit's default). */
function isBind(fields: ReadonlyMap<string, string>): boolean {
  return (fields.get('type') ?? 'bind') === 'bind';
}

/** Words split at whitespace outside quotes, the quotes removed (ARG and ENV values). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+))+|\s+/g)) {
    if (/^\s+$/.test(match[0])) continue;
    words.push(
      match[0].replace(
        /"((?:[^"\\]|\\.)*)"|'([^']*)'/g,
        (_, dq: string | undefined, sq: string | undefined) => dq ?? sq ?? '',
      ),
    );
  }
  return words;
}

/** The sources no file of the context provides: a path or a folder (any file under it); a glob is the engine's to judge. */
/**
 * A COPY source as a path in the context: BuildKit reads it from the context's root, where a leading
 * `/` and any `..` stop (highlight's `COPY ../go.work .` is the context's `go.work`); `.` for the root,
 * no trailing slash.
 */
export function contextPath(source: string): string {
  return posix.normalize(`/${source}`).replace(/^\/+/, '').replace(/\/+$/, '') || '.';
}

/**
 * The `--exclude` patterns of the copies of the whole context (`COPY --exclude=apps/broker . .`) that
 * leave those files out of the image as the ignore file would: every whole copy excludes the pattern,
 * and no other source (a COPY, a bind mount) reads a path it matches or a folder holding one. Relative
 * to the context, as ignore-file lines; none where any source is a pattern itself.
 */
export function excludedEverywhere(sources: readonly CopySource[]): string[] {
  const whole = sources.filter(({ source }) => contextPath(source) === '.');
  if (!whole.length) return [];
  const others = sources.filter(({ source }) => contextPath(source) !== '.').map(({ source }) => contextPath(source));
  if (others.some((path) => /[*?[\]{}]/.test(path))) return [];
  const [first, ...rest] = whole.map(({ exclude = [] }) => exclude);
  return first!.filter((pattern) => {
    if (pattern.startsWith('!') || !rest.every((patterns) => patterns.includes(pattern))) return false;
    const glob = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
    const matches = picomatch(glob, { dot: true });
    const { base } = picomatch.scan(glob);
    // A source inside what the pattern matches, or a folder that may hold something it matches.
    return !others.some(
      (path) =>
        path.split('/').some((_, i, parts) => matches(parts.slice(0, i + 1).join('/'))) ||
        base === '' ||
        path === base ||
        path.startsWith(`${base}/`) ||
        base.startsWith(`${path}/`),
    );
  });
}

export function missingSources(sources: readonly CopySource[], contextFiles: readonly string[]): CopySource[] {
  const files = new Set(contextFiles);
  return sources.filter(({ source }) => {
    const path = contextPath(source);
    if (path === '.') return false;
    // A pattern that matches nothing is the engine's to judge: BuildKit copies nothing (the
    // `COPY ini[t]/ …` idiom for an optional folder), buildah refuses; neither is a missing path.
    if (picomatch.scan(path).isGlob) return false;
    return !files.has(path) && !contextFiles.some((file) => file.startsWith(`${path}/`));
  });
}

/**
 * Instructions with their first line: continuation lines joined, comments and blank lines skipped,
 * a heredoc's lines (`RUN <<EOF` … `EOF`) part of its instruction, one per line, never read as
 * instructions of their own.
 */
export function instructions(dockerfile: string): Step[] {
  const result: Step[] = [];
  const lines = dockerfile.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i]!;
    if (/^\s*(#|$)/.test(text)) continue;
    while (/\\\s*$/.test(text) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      text = `${text.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    for (const [, strip, delimiter] of text.matchAll(/<<(-?)["']?([A-Za-z_]\w*)["']?/g)) {
      // Read to the delimiter's line (`<<-` allows it indented with tabs).
      while (i + 1 < lines.length) {
        const body = lines[++i]!;
        if ((strip ? body.replace(/^\t+/, '') : body) === delimiter) break;
        text += `\n${body}`;
      }
    }
    result.push({ line: start + 1, text: text.trim() });
  }
  return result;
}

/** The exec (JSON array) form or the whitespace-separated form; undefined when it cannot be read. */
function argumentsOf(rest: string): string[] | undefined {
  const flags: string[] = [];
  let remainder = rest.trim();
  for (let flag = /^(--\S+)\s+/.exec(remainder); flag; flag = /^(--\S+)\s+/.exec(remainder)) {
    flags.push(flag[1]!);
    remainder = remainder.slice(flag[0].length);
  }
  if (remainder.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(remainder);
      return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? [...flags, ...parsed] : undefined;
    } catch {
      return undefined;
    }
  }
  return [...flags, ...remainder.split(/\s+/).filter(Boolean)];
}
