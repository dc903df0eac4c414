import path from 'node:path';

export interface SourceLocation {
  /** Path relative to the project root, with `/` separators. */
  file: string;
  line: number;
}

// "    at fn (/abs/file.js:12:5)", "    at /abs/file.js:12:5", "    at async fn (file:///abs/file.js:3:1)"
const FRAME = /^\s*at (?:.*?\()?(?:file:\/\/)?([^()\s]+?):(\d+):\d+\)?\s*$/;

/**
 * The first stack frame in the project's own code: under `root`, outside `node_modules`, not a
 * Node internal. Null when the error never passed through our code (or has no stack).
 */
export function firstProjectFrame(stack: string | undefined, root: string): SourceLocation | null {
  if (!stack) return null;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, file = '', lineNumber = ''] = match;
    if (!file.startsWith(prefix) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return { file: path.relative(root, file).split(path.sep).join('/'), line: Number(lineNumber) };
  }
  return null;
}
