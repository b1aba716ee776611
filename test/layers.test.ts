import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

// The layer rule (.dependency-cruiser.cjs) over the real import graph, as `npm run layers` runs it in CI,
// and over a planted tree that breaks each part of it, so a rule that stopped matching would fail here.

const root = join(import.meta.dirname, '..');

async function violations(baseDir: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(join(root, 'tsconfig.json'));
  const result = await cruise(['src'], { ...options, baseDir }, {}, { tsConfig });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('the layer rule', () => {
  it('holds on the real import graph', { timeout: 120_000 }, async () => {
    expect(await violations(root)).toEqual([]);
  });

  const planted = mkdtempSync(join(tmpdir(), 'residesk-layers-'));
  afterAll(() => rmSync(planted, { recursive: true, force: true }));

  it('catches each kind of wrong arrow', { timeout: 120_000 }, async () => {
    const files: Record<string, string> = {
      'src/config.ts': 'export type Window = { from: string };\n',
      'src/core/time.ts': [
        "import type { Window } from '../config.js';",
        "import { readFileSync } from 'node:fs';",
        "import { Telegraf } from 'telegraf';",
        'export type W = Window;',
        'export const x = [readFileSync, Telegraf];',
        '',
      ].join('\n'),
      'src/app/use-case.ts': "import { a } from '../adapters/thing.js';\nexport const b = a;\n",
      'src/adapters/thing.ts':
        "import type { b } from '../app/use-case.js';\nexport const a = 1 as unknown as typeof b;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(planted, path)), { recursive: true });
      writeFileSync(join(planted, path), text);
    }
    const found = await violations(planted);
    expect(found).toEqual(
      expect.arrayContaining([
        'core-imports-only-core: src/core/time.ts → src/config.ts',
        'core-no-io: src/core/time.ts → fs',
        'core-no-platform-library: src/core/time.ts → telegraf',
        'app-not-to-adapters: src/app/use-case.ts → src/adapters/thing.ts',
        'adapters-not-to-app: src/adapters/thing.ts → src/app/use-case.ts',
      ]),
    );
    expect(found.some((v) => v.startsWith('no-cycle-across-layers: '))).toBe(true);
  });
});
