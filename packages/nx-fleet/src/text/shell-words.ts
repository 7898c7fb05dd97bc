import { parse } from 'shell-quote';

/** One word of a command line, as the shell would split it, without expanding anything. */
export interface ShellWord {
  /** The word with quotes removed; a variable is kept as `$NAME`. */
  text: string;
  /** Variables the word expands (`$NAME`, `${NAME}`): its value is only known when the script runs. */
  variables: string[];
  /** Unquoted glob characters or a command substitution: the word is not a literal either. */
  dynamic: boolean;
}

/** A simple command, and how it is joined to the commands around it. */
export interface ShellCommand {
  words: ShellWord[];
  /** The operator before it (`&&`, `||`, `;`, `|`, `&`), undefined for the first. */
  after?: string;
  /** Redirections: `<` feeding stdin, `>`… */
  redirects: string[];
}

/** Never in a script's text: marks where shell-quote put a variable, so the word stays one word. */
const MARK = '\u0000';
const VARIABLE = new RegExp(`${MARK}([^${MARK}]*)${MARK}`, 'g');
const SEPARATORS = new Set(['&&', '||', ';', ';;', '|', '&', '|&']);

/**
 * Splits a script (an npm script, a run-commands command) into commands and words with shell-quote,
 * which tokenises like sh and evaluates nothing: variables are recorded, never read from the environment.
 */
export function shellCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let current: ShellCommand = { words: [], redirects: [] };
  let pendingRedirect: string | undefined;
  // A command substitution (`VERSION=$(node -p …)`) is one word, its value known only when it runs.
  let substitution: { word: ShellWord; depth: number; parts: string[] } | undefined;
  for (const token of parse(script, (name) => `${MARK}${name}${MARK}`)) {
    if (substitution) {
      const text = typeof token === 'string' ? wordOf(token).text : 'op' in token ? token.op : undefined;
      if (text === undefined) continue;
      substitution.depth += text === '(' ? 1 : text === ')' ? -1 : 0;
      if (substitution.depth > 0) {
        substitution.parts.push(text);
        continue;
      }
      const { word, parts } = substitution;
      current.words.push({ ...word, text: `${word.text}(${parts.join(' ')})` });
      substitution = undefined;
      continue;
    }
    if (typeof token === 'string') {
      const word = wordOf(token);
      if (pendingRedirect) {
        current.redirects.push(`${pendingRedirect} ${word.text}`);
        pendingRedirect = undefined;
      } else current.words.push(word);
      continue;
    }
    if ('comment' in token) break;
    if (token.op === 'glob') {
      current.words.push({ text: token.pattern, variables: [], dynamic: true });
      continue;
    }
    if (SEPARATORS.has(token.op)) {
      commands.push(current);
      current = { words: [], redirects: [], after: token.op };
      continue;
    }
    const last = current.words.at(-1);
    if (token.op === '(' && last?.dynamic && last.text.endsWith('$')) {
      // `$(…)`: shell-quote yields an empty variable then the parenthesised words.
      substitution = { word: current.words.pop()!, depth: 1, parts: [] };
      continue;
    }
    if (token.op === '(' || token.op === ')') {
      current.words.push({ text: token.op, variables: [], dynamic: true });
      continue;
    }
    pendingRedirect = token.op;
  }
  commands.push(current);
  return commands.filter((command) => command.words.length || command.redirects.length);
}

function wordOf(token: string): ShellWord {
  const variables: string[] = [];
  // shell-quote gives an expansion with an operator whole (`DOCKER_BUILD_PLATFORMS:-linux/arm64`): it is
  // written back braced, as it was, and the variable is its name.
  const text = token.replace(VARIABLE, (_, name: string) => {
    const variable = /^\w+/.exec(name)?.[0] ?? name;
    variables.push(variable);
    return !name ? '$' : variable === name ? `$${name}` : `\${${name}}`;
  });
  // An empty name is what shell-quote leaves of `$(`; backquotes it does not read at all.
  const dynamic = variables.includes('') || text.includes('`');
  return { text, variables: variables.filter(Boolean), dynamic };
}
