import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface Import {
  file: string;
  /** The imported module: a repository path without extension for relative imports, else the package name. */
  module: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

function importsOf(dir: string): Import[] {
  return sourceFiles(dir).flatMap((file) =>
    [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map(([, type, spec]) => ({
      file,
      module: spec.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)) : spec,
      typeOnly: type !== undefined,
    })),
  );
}

const topFolder = (module: string) => module.split(path.sep)[0];
const into = (imports: Import[], folders: string[]) => imports.filter((i) => folders.includes(topFolder(i.module))).map((i) => `${i.file} -> ${i.module}`);

describe('the layout is the architecture', () => {
  it('the engine imports neither Temporal nor any layer above it', () => {
    const lake = importsOf('lake');
    expect(into(lake, ['workflows', 'activities', 'worker', 'client', 'cli'])).toEqual([]);
    expect(lake.filter((i) => i.module.startsWith('@temporalio/')).map((i) => i.file)).toEqual([]);
  });

  it("activities import nothing from workflows: workflows import the activities' contract, as in Temporal's samples", () => {
    expect(into(importsOf('activities'), ['workflows', 'worker', 'client', 'cli'])).toEqual([]);
  });

  it("workflows import the contract's types, the engine's pure modules and the Temporal workflow API, nothing of Node", () => {
    const pureLake = ['lake/month', 'lake/errors', 'lake/call-label'];
    const bad = importsOf('workflows').filter(({ module, typeOnly }) => {
      if (typeOnly || topFolder(module) === 'workflows') return false;
      if (topFolder(module) === 'lake') return !pureLake.includes(module);
      return !['@temporalio/workflow', '@temporalio/common'].includes(module);
    });
    expect(bad).toEqual([]);
  });

  it('the client starts and follows workflows; it never hosts a worker', () => {
    expect(into(importsOf('client'), ['worker', 'cli'])).toEqual([]);
  });
});
