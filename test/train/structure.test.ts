// The training code stays readable: no function or method in src/train/ longer than 150 lines (train() is split into
// named phases: setup.ts, resume.ts, epoch.ts, step.ts, session.ts, stop.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const MAX_LINES = 150;

function longFunctions(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name !== undefined && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      if (end - start + 1 > MAX_LINES) out.push(`${file}:${start + 1} ${name}: ${end - start + 1} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

it(`no function in src/train is longer than ${MAX_LINES} lines`, () => {
  const dir = path.join('src', 'train');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  expect(files.flatMap(longFunctions)).toEqual([]);
});
