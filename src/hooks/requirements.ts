// The program a hook command starts with, when it names one bare (`psql -c ...`, `patronictl list`),
// as a requirement: a drill whose hook would fail with "command not found" stops before it starts
// anything (exit 4). Paths (`./promote.sh`), shell builtins and keywords are the user's to get right.
import type { Requirement } from "../platform/requirements.ts";

/** Words the shell runs itself: nothing to install. */
const SHELL_WORDS = new Set([
  "!",
  ".",
  ":",
  "[",
  "[[",
  "{",
  "(",
  "alias",
  "break",
  "case",
  "cd",
  "continue",
  "echo",
  "eval",
  "exit",
  "export",
  "false",
  "for",
  "if",
  "printf",
  "pwd",
  "read",
  "return",
  "set",
  "shift",
  "source",
  "test",
  "trap",
  "true",
  "type",
  "ulimit",
  "umask",
  "unset",
  "until",
  "wait",
  "while",
]);
/** Builtins that run the next word as the command. */
const PREFIXES = new Set(["exec", "command"]);

/** The program a command runs first, if it names one bare; undefined for paths, builtins, variables. */
export function firstProgram(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  let i = 0;
  // Variable assignments before the command (`PGCONNECT_TIMEOUT=2 psql ...`).
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  while (i < words.length && PREFIXES.has(words[i]!)) i++;
  const word = words[i]?.replace(/^(["'])(.*)\1$/, "$2");
  if (word === undefined || word === "" || SHELL_WORDS.has(word)) return undefined;
  // A path, an expansion, quoting or redirection: not a plain program name.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(word)) return undefined;
  return word;
}

/** The requirement a hook command makes, where its first word is a bare program name. */
export function hookRequirement(command: string, purpose: string): Requirement[] {
  const program = firstProgram(command);
  return program === undefined ? [] : [{ command: program, purpose }];
}
