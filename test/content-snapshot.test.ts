/**
 * The content snapshot the built bot starts from (src/adapters/content/snapshot.ts): read only while no
 * content file changed, so an operator's edit of flows/ or locales/ is seen at the next start, a broken
 * edit still stops it with one line per mistake, and a snapshot changed on disk is never read.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSnapshot } from '../src/adapters/content/snapshot.js';
import { contentPaths, loadContent, loadContentWithSnapshot, modelSnapshotFile, REPO_ROOT } from '../src/content.js';
import { DeferredKnowledgeIndex } from '../src/core/knowledge/deferred.js';
import { inputOf } from '../src/core/understand/intent.js';
import { predict } from '../src/core/understand/model.js';
import { StartupError } from '../src/startup-error.js';

let dir: string;
let snapshot: { file: string; codeId: string };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residesk-snapshot-'));
  await cp(join(REPO_ROOT, 'flows'), join(dir, 'flows'), { recursive: true });
  await cp(join(REPO_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
  // A small training file, so the model trains in a moment (the repository's includes are not copied).
  const training = join(dir, 'flows', 'understand', 'training.json');
  const data = JSON.parse(await readFile(training, 'utf8')) as { examples: unknown[] };
  await writeFile(training, JSON.stringify({ ...data, include: [], examples: data.examples.slice(0, 60) }));
  snapshot = { file: join(dir, 'content.snapshot'), codeId: 'build-1' };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = () => loadContentWithSnapshot(contentPaths(dir), snapshot);

describe('the content snapshot', () => {
  it('is written by a load from the files and read by the next, giving the same content', () => {
    const first = load();
    expect(first.snapshot.kind).toBe('written');
    const second = load();
    expect(second.snapshot.kind).toBe('read');

    const [a, b] = [first.content, second.content];
    expect(b.registry).toEqual(a.registry);
    expect(b.questionnaires).toEqual(a.questionnaires);
    expect(b.keywords).toEqual(a.keywords);
    expect(b.emergencyRules).toEqual(a.emergencyRules);
    expect(b.model()).toEqual(a.model());
    expect(b.i18n.translate('zh-CN', 'menu.title', {})).toBe(a.i18n.translate('zh-CN', 'menu.title', {}));
    expect(b.knowledge.get('fees.pay')).toEqual(a.knowledge.get('fees.pay'));
    // The knowledge index is restored from the snapshot, not built again: it ranks and answers as the built one.
    for (const question of ['物业费在哪里交', '装修要办什么手续？周末能施工吗？', 'How do I pay the property fee?']) {
      expect(b.knowledge.rank(question)).toEqual(a.knowledge.rank(question));
      expect(b.knowledge.answer(question, 'zh-CN')).toEqual(a.knowledge.answer(question, 'zh-CN'));
    }
    const x = inputOf('电梯困人了', b.keywords, b.emergencyRules);
    expect(predict(b.model().intent, x)).toEqual(predict(a.model().intent, x));
    // Each head's weights in a buffer of their own, not a view into the snapshot file read (kept alive by it).
    const m = b.model();
    for (const head of [m.intent, m.category, m.kind, m.urgency, m.emergency]) {
      for (const array of Object.values(head).filter(ArrayBuffer.isView)) {
        expect(array.buffer.byteLength).toBe(array.byteLength);
      }
    }
  });

  it('keeps the model in a snapshot of its own, read at its first use, and loads it from the files when that is damaged', async () => {
    const built = load().content.model();
    const modelFile = modelSnapshotFile(snapshot.file);
    expect(modelFile).toBe(join(dir, 'content.model.snapshot'));
    const bytes = await readFile(modelFile);
    // A start looks at the model snapshot's header only: a payload damaged after it was written is not read
    // at the start, and the model's first use loads it from the files instead.
    const started = load();
    expect(started.snapshot.kind).toBe('read');
    await writeFile(modelFile, Buffer.concat([bytes.subarray(0, bytes.length - 10), Buffer.alloc(10, 0xff)]));
    expect(started.content.model()).toEqual(built);
    expect(started.content.model()).toBe(started.content.model()); // loaded once
    // Read at the first use, not at the start: a model snapshot replaced after the start is the one used.
    const fingerprint = bytes
      .subarray('residesk-content-5\n'.length, 'residesk-content-5\n'.length + 32)
      .toString('hex');
    const later = load();
    writeSnapshot(modelFile, fingerprint, { ...built, trainedOn: 7 });
    expect(later.content.model().trainedOn).toBe(7);
    // Without the model's snapshot the content's is not read: the files are loaded and both written again.
    await rm(modelFile);
    expect(load().snapshot.kind).toBe('written');
    const again = load();
    expect(again.snapshot.kind).toBe('read');
    expect(again.content.model()).toEqual(built);
  });

  it('is not read after an edit: the edited text is what the bot says', async () => {
    load();
    const file = join(dir, 'locales', 'en.json');
    const texts = JSON.parse(await readFile(file, 'utf8')) as { menu: { title: string } };
    texts.menu.title = 'How may we help you today?';
    await writeFile(file, JSON.stringify(texts));
    const edited = load();
    expect(edited.snapshot.kind).toBe('written');
    expect(edited.content.i18n.translate('en', 'menu.title', {})).toBe('How may we help you today?');
    expect(load().content.i18n.translate('en', 'menu.title', {})).toBe('How may we help you today?');
  });

  it('leaves the knowledge index to be built at its first use, with staff-saved knowledge added meanwhile', () => {
    load();
    const { content } = load();
    expect(content.knowledge).toBeInstanceOf(DeferredKnowledgeIndex);
    const knowledge = content.knowledge as DeferredKnowledgeIndex;
    expect(knowledge.ready).toBe(false);
    const saved = {
      id: 'learned.K001',
      topic: 'other' as const,
      questions: { 'zh-CN': ['小区的快递驿站能寄国际快递吗'] },
      answer: { 'zh-CN': '驿站可以寄国际快递，请带护照。' },
      source: 'staff:7',
    };
    knowledge.add([saved]); // as the app adds staff-saved knowledge at every start
    expect(knowledge.ready).toBe(false);
    expect(knowledge.get('learned.K001')).toEqual(saved); // the first use builds it, the saved entry in it
    expect(knowledge.ready).toBe(true);
    const built = loadContent(contentPaths(dir)).knowledge;
    built.add([saved]);
    for (const question of ['物业费在哪里交', '驿站能寄国际快递吗']) {
      expect(knowledge.answer(question, 'zh-CN')).toEqual(built.answer(question, 'zh-CN'));
    }
  });

  it('is not read after the classifier weights file changed, though it is read only by its ends', async () => {
    load();
    const file = join(dir, 'flows', 'understand', 'model.json');
    const text = await readFile(file, 'utf8');
    // One weight in the middle of the 5.8 MB file, the size kept: what only the file's time can tell.
    const at = text.indexOf('0.1', Math.floor(text.length / 2));
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, `${text.slice(0, at)}0.2${text.slice(at + 3)}`);
    expect(load().snapshot.kind).toBe('written');
    expect(load().snapshot.kind).toBe('read');
  });

  it('is not read after a broken edit: the start stops with one line naming the file', async () => {
    load();
    await writeFile(join(dir, 'flows', 'keywords.yaml'), 'categories: [not: a: map\n');
    let error: unknown;
    try {
      load();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).title).toBe('flows/keywords.yaml is broken');
    expect((error as StartupError).problems.every((p) => p.includes(join(dir, 'flows', 'keywords.yaml')))).toBe(true);
  });

  it('is not read when written by other code, or when its bytes were changed', async () => {
    load();
    expect(loadContentWithSnapshot(contentPaths(dir), { ...snapshot, codeId: 'build-2' }).snapshot.kind).toBe(
      'written',
    );
    expect(load().snapshot.kind).toBe('written'); // build-2's snapshot is not build-1's
    expect(load().snapshot.kind).toBe('read');

    const bytes = await readFile(snapshot.file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(snapshot.file, bytes);
    expect(load().snapshot.kind).toBe('written');
    await writeFile(snapshot.file, bytes.subarray(0, 100));
    expect(load().snapshot.kind).toBe('written');
  });

  it('says why when it cannot be written, and the content still loads', () => {
    const unwritable = { file: join(dir, 'no-such-dir', 'content.snapshot'), codeId: 'build-1' };
    const loaded = loadContentWithSnapshot(contentPaths(dir), unwritable);
    expect(loaded.snapshot.kind).toBe('not written');
    expect(loaded.content.registry.flows.size).toBe(loadContent(contentPaths(dir)).registry.flows.size);
  });
});
