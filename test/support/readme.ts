import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** The README as tests read it: its sections, its code blocks, and the commands in them. */

export const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The text of the `## title` section, up to the next `## `. */
export const readmeSection = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `a "${title}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};

/** The code blocks of `text` in a language, in order, un-indented as a list item indents them. */
export const codeBlocks = (text: string, language: string): string[] =>
  [...text.matchAll(new RegExp(`^( *)\`\`\`${language}\\n([\\s\\S]*?)^\\1\`\`\``, "gm"))].map((m) => {
    const indent = m[1] ?? "";
    return (m[2] ?? "")
      .split("\n")
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join("\n");
  });

/** The shell commands of a code block: continued lines joined, words split as sh would. */
export const commandsOf = (block: string): string[][] =>
  block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? ""));

/** The sh code block that holds `text`, as commands. */
export const commandBlockWith = (text: string, within = readme): string[][] => {
  const block = codeBlocks(within, "sh").find((b) => b.includes(text));
  assert.ok(block, `the README has a command block with ${text}`);
  return commandsOf(block);
};
