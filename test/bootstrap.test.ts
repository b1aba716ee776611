/** The one start-up every entry point shares: configuration, content, the configured store, policy and rooms. */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, deskPolicy } from '../src/app/context.js';
import { appSettings, bootstrap, openStore, readConfig, staffRooms, storeChoice } from '../src/bootstrap.js';
import { contentPaths, loadContent, REPO_ROOT } from '../src/content.js';
import { systemClock } from '../src/core/ports.js';
import { silentLogger } from '../src/logger.js';
import { StartupError } from '../src/startup-error.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residesk-bootstrap-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startupError(run: () => unknown): StartupError {
  try {
    run();
  } catch (error) {
    if (error instanceof StartupError) return error;
    throw error;
  }
  throw new Error('no StartupError');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('storeChoice', () => {
  it('is the SQLite file under DATA_DIR without MONGODB_URI', () => {
    expect(storeChoice(readConfig({ DATA_DIR: '/srv/residesk' }))).toEqual({
      kind: 'sqlite',
      path: join('/srv/residesk', 'residesk.db'),
    });
  });

  it('is MongoDB when MONGODB_URI is set, whatever DATA_DIR says', () => {
    const config = readConfig({
      DATA_DIR: '/srv/residesk',
      MONGODB_URI: 'mongodb://db.example.com:27017/residesk?replicaSet=rs0',
      MONGODB_SERVER_SELECTION_TIMEOUT: '2s',
    });
    expect(storeChoice(config)).toEqual({
      kind: 'mongodb',
      uri: 'mongodb://db.example.com:27017/residesk?replicaSet=rs0',
      serverSelectionTimeoutMs: 2000,
    });
  });
});

describe('openStore', () => {
  it('refuses a MongoDB server it cannot reach with one line that names the host and not the password', async () => {
    const port = await closedPort();
    const error = await openStore({
      kind: 'mongodb',
      uri: `mongodb://bob:hunter2@127.0.0.1:${port}/residesk`,
      serverSelectionTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    const { title, problems } = error as StartupError;
    expect(title).toBe('MongoDB cannot be used');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`cannot reach MongoDB at 127.0.0.1:${port}`);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('refuses a DATA_DIR that is a file, naming DATA_DIR', async () => {
    const file = join(dir, 'not-a-directory');
    await writeFile(file, 'x');
    const error = await openStore({ kind: 'sqlite', path: join(file, 'residesk.db') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).title).toBe('the SQLite store cannot be opened');
    expect((error as StartupError).problems[0]).toMatch(/^DATA_DIR: cannot open .*not-a-directory/);
  });
});

describe('configuration', () => {
  it('turns every mistaken variable into one line', () => {
    const error = startupError(() => readConfig({ TZ: 'Mars/Olympus', DEFAULT_LOCALE: 'fr' }));
    expect(error.title).toBe('the configuration is not valid');
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^DEFAULT_LOCALE: /);
    expect(error.problems[1]).toMatch(/^TZ: /);
  });

  it('derives the policy and settings from it, with its defaults as the only defaults', () => {
    const config = readConfig({
      SUPERVISORS: 'telegram:42',
      SLA_NORMAL_RESOLVE: '5d',
      QUIET_HOURS: 'off',
      ESTATE_NAME: '阳光花园',
      DUTY_PHONE: '400-800-1234',
    });
    const policy = deskPolicy(config);
    expect(policy.supervisors).toEqual([{ channel: 'telegram', userId: '42' }]);
    expect(policy.sla.normal.resolveMs).toBe(5 * 24 * 3_600_000);
    expect(policy.sla.urgent).toEqual(DEFAULT_POLICY.sla.urgent);
    expect(policy.quietHours).toBeNull();
    expect(appSettings(config)).toEqual({
      defaultLocale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      estateName: '阳光花园',
      dutyPhone: '400-800-1234',
    });
    // README, service levels.
    expect(DEFAULT_POLICY.businessHours).toEqual({ start: 8 * 60, end: 20 * 60 });
    expect(DEFAULT_POLICY.quietHours).toEqual({ start: 21 * 60, end: 8 * 60 });
    expect(DEFAULT_POLICY.sla.emergency).toEqual({ acceptMs: 5 * 60_000, resolveMs: 2 * 3_600_000 });
    expect(DEFAULT_POLICY.sla.normal).toEqual({ acceptMs: 2 * 3_600_000, resolveMs: 3 * 24 * 3_600_000 });
    expect(DEFAULT_POLICY.revisitReopenAt).toBe(6);
  });

  it('names the staff rooms of the configured platforms, and the console’s only for the console bot', () => {
    const config = readConfig({
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_STAFF_CHAT_ID: '-100200',
      WECHATY_PUPPET: 'wechaty-puppet-mock',
      WECHAT_STAFF_ROOM: '客服群',
    });
    expect(staffRooms(config, { console: false })).toEqual([
      { channel: 'telegram', chatId: '-100200' },
      { channel: 'wechat', chatId: '客服群' },
    ]);
    expect(staffRooms(readConfig({}), { console: true })).toEqual([{ channel: 'console', chatId: 'staff' }]);
    expect(staffRooms(readConfig({}), { console: false })).toEqual([]);
  });
});

describe('content', () => {
  it('loads the flows, the questionnaires with their flows and texts, the locales and the keywords', () => {
    const content = loadContent();
    expect(content.questionnaires.has('residential')).toBe(true);
    expect(content.registry.flows.has('survey_residential')).toBe(true);
    expect(content.registry.flows.has('complaint')).toBe(true);
    expect(content.i18n.has('surveys.residential.title')).toBe(true);
    expect(content.keywords).toBeDefined();
    expect(content.emergencyRules).toBeDefined();
    expect(content.model).toBeDefined();
    expect(content.knowledge.get('fees.pay')?.source).toContain(join('flows', 'knowledge', 'fees.yaml'));
  });

  it('stops at a broken knowledge entry with one line naming the file, the entry and the problem', async () => {
    await cp(join(REPO_ROOT, 'flows'), join(dir, 'flows'), { recursive: true });
    await cp(join(REPO_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
    const file = join(dir, 'flows', 'knowledge', 'extra.yaml');
    await writeFile(
      file,
      'entries:\n  - id: pool.hours\n    topic: facilities\n    questions: { zh-CN: [泳池几点开], en: [pool hours] }\n    answer: { zh-CN: 每天开放 }\n',
    );
    const error = startupError(() => loadContent(contentPaths(dir)));
    expect(error.title).toBe('a knowledge file (flows/knowledge/) is broken');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/extra\.yaml: entry "pool\.hours" \(answer\.en\): /);
  });

  it('stops at broken training data for the understanding model, naming the file', async () => {
    await cp(join(REPO_ROOT, 'flows'), join(dir, 'flows'), { recursive: true });
    await cp(join(REPO_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
    const file = join(dir, 'flows', 'understand', 'training.json');
    await writeFile(file, '{ "version": 1, "examples": [ { "text": 3 } ] }\n');
    const error = startupError(() => loadContent(contentPaths(dir)));
    expect(error.title).toContain('flows/understand/training.json');
    expect(error.problems.length).toBeGreaterThan(0);
  });

  it('stops at a broken file with one StartupError naming the file', async () => {
    await cp(join(REPO_ROOT, 'flows'), join(dir, 'flows'), { recursive: true });
    await cp(join(REPO_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
    await writeFile(join(dir, 'flows', 'keywords.yaml'), 'categories: [not: a: map\n');
    const error = startupError(() => loadContent(contentPaths(dir)));
    expect(error.title).toBe('flows/keywords.yaml is broken');
    expect(error.problems.every((p) => p.includes(join(dir, 'flows', 'keywords.yaml')))).toBe(true);
  });

  it('stops at broken emergency rules, naming the file', async () => {
    await cp(join(REPO_ROOT, 'flows'), join(dir, 'flows'), { recursive: true });
    await cp(join(REPO_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
    const file = join(dir, 'flows', 'understand', 'emergency.yaml');
    await writeFile(file, 'version: 1\ncues: [{ id: fire }]\n');
    const error = startupError(() => loadContent(contentPaths(dir)));
    expect(error.title).toBe('flows/understand/emergency.yaml is broken');
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.every((p) => p.includes(file))).toBe(true);
  });
});

describe('bootstrap', () => {
  it('builds the App on the configured store with the configured policy and rooms', async () => {
    const config = readConfig({ DATA_DIR: dir, SUPERVISORS: 'sup', WECHATY_PUPPET: 'p', WECHAT_STAFF_ROOM: '客服群' });
    const started = await bootstrap({ config, log: silentLogger(), clock: systemClock, consoleStaffRoom: false });
    try {
      expect(started.storeChoice).toEqual({ kind: 'sqlite', path: join(dir, 'residesk.db') });
      expect(started.app.ctx.policy.supervisors).toEqual([{ userId: 'sup' }]);
      expect(started.app.ctx.staffRooms).toEqual([{ channel: 'wechat', chatId: '客服群' }]);
      expect(await readdir(dir)).toContain('residesk.db');
    } finally {
      await started.store.close();
    }
  });

  it('makes the console’s staff member a supervisor in the console bot only', async () => {
    const config = readConfig({ DATA_DIR: dir, SUPERVISORS: 'sup' });
    const consoleBot = await bootstrap({ config, log: silentLogger(), clock: systemClock, consoleStaffRoom: true });
    try {
      expect(consoleBot.app.ctx.policy.supervisors).toEqual([
        { userId: 'sup' },
        { channel: 'console', userId: 'console-staff' },
      ]);
    } finally {
      await consoleBot.store.close();
    }
    const cli = await bootstrap({ config, log: silentLogger(), clock: systemClock, consoleStaffRoom: false });
    try {
      expect(cli.app.ctx.policy.supervisors).toEqual([{ userId: 'sup' }]);
    } finally {
      await cli.store.close();
    }
  });

  it('opens no store when the content is broken', async () => {
    const root = join(dir, 'root');
    await cp(join(REPO_ROOT, 'locales'), join(root, 'locales'), { recursive: true });
    await cp(join(REPO_ROOT, 'flows'), join(root, 'flows'), { recursive: true });
    await writeFile(join(root, 'flows', 'surveys', 'residential.yaml'), 'id: residential\n');
    const data = join(dir, 'data');
    const config = readConfig({ DATA_DIR: data });
    const error = await bootstrap({
      config,
      log: silentLogger(),
      clock: systemClock,
      consoleStaffRoom: false,
      root,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).title).toBe('a questionnaire is broken');
    expect((error as StartupError).problems.join('\n')).toContain('residential.yaml');
    expect(await readdir(dir)).toEqual(['root']);
  });
});
