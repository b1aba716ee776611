/**
 * The benchmark's baseline: the smallest telegraf bot that holds the same repair conversation as
 * residesk (same questions, same buttons, same typed answers), with a WizardScene and its session in
 * SQLite, and the ticket written to SQLite at the end. It runs in its own process (started by bots.ts),
 * in webhook mode with a secret, so it meets the same fake Bot API and the same load as residesk.
 *
 * The session store is ours (a table of JSON documents, statements prepared once): the maintained
 * telegraf session package with SQLite support exists only as a beta, and the store is a dozen lines.
 * SQLite is opened as residesk opens it (WAL, synchronous NORMAL), so durability is the same.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { Markup, Scenes, session, Telegraf } from 'telegraf';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const locale = JSON.parse(readFileSync('locales/zh-CN.json', 'utf8')) as Record<string, unknown>;
/** A zh-CN text by its key, as residesk's locale has it. */
const t = (key: string): string => {
  const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], locale);
  return typeof value === 'string' ? value : key;
};

const db = new Database(env('BASELINE_DB'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, doc TEXT NOT NULL) STRICT;
`);
const get = db.prepare<[string], string>('SELECT value FROM sessions WHERE key = ?').pluck();
const put = db.prepare<[string, string]>(
  'INSERT INTO sessions (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);
const drop = db.prepare<[string]>('DELETE FROM sessions WHERE key = ?');
const insertTicket = db.prepare<[string, string]>('INSERT INTO tickets (owner, doc) VALUES (?, ?)');

type Ctx = Scenes.WizardContext;
const store = {
  get: (key: string) => {
    const value = get.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as Scenes.WizardSession);
  },
  set: (key: string, value: Scenes.WizardSession) => {
    put.run(key, JSON.stringify(value));
  },
  delete: (key: string) => {
    drop.run(key);
  },
};

const CATEGORIES = ['water_power', 'leaks_fabric', 'public_facilities', 'lift', 'access_control', 'other'];
const menu = Markup.inlineKeyboard(
  ['repair', 'complaint', 'suggestion', 'emergency', 'mytickets', 'lang'].map((m) => [
    Markup.button.callback(m, `m.${m}`),
  ]),
);

/** The data of a pressed button, answered and its keyboard taken off; undefined for a typed message. */
async function pressed(ctx: Ctx): Promise<string | undefined> {
  if (!ctx.callbackQuery || !('data' in ctx.callbackQuery)) return undefined;
  await ctx.answerCbQuery();
  await ctx.editMessageReplyMarkup(undefined);
  return ctx.callbackQuery.data;
}
const typed = (ctx: Ctx): string | undefined =>
  ctx.message && 'text' in ctx.message ? ctx.message.text.trim() : undefined;
const state = (ctx: Ctx) => ctx.wizard.state as Record<string, string>;

const repair = new Scenes.WizardScene<Ctx>(
  'repair',
  async (ctx) => {
    await ctx.reply(
      t('complaint.ask.category'),
      Markup.inlineKeyboard(CATEGORIES.map((c) => [Markup.button.callback(c, `o.${c}`)])),
    );
    return ctx.wizard.next();
  },
  async (ctx) => {
    const data = await pressed(ctx);
    if (!data?.startsWith('o.')) return ctx.reply(t('complaint.ask.category'));
    state(ctx).category = data.slice(2);
    await ctx.reply(t('complaint.ask.location'), Markup.inlineKeyboard([Markup.button.callback('public', 'pub')]));
    return ctx.wizard.next();
  },
  async (ctx) => {
    const text = typed(ctx);
    if (!text) return ctx.reply(t('complaint.ask.location'));
    state(ctx).location = text;
    await ctx.reply(t('complaint.ask.description'));
    return ctx.wizard.next();
  },
  async (ctx) => {
    const text = typed(ctx);
    if (!text || text.length < 4) return ctx.reply(t('complaint.ask.description'));
    state(ctx).description = text;
    await ctx.reply(t('complaint.ask.photos'), Markup.inlineKeyboard([Markup.button.callback('done', 'done')]));
    return ctx.wizard.next();
  },
  async (ctx) => {
    if ((await pressed(ctx)) !== 'done') return ctx.reply(t('complaint.ask.photos'));
    await ctx.reply(t('complaint.ask.demand'), Markup.inlineKeyboard([Markup.button.callback('skip', 'skip')]));
    return ctx.wizard.next();
  },
  async (ctx) => {
    const demand = (await pressed(ctx)) === 'skip' ? '' : typed(ctx);
    if (demand === undefined) return ctx.reply(t('complaint.ask.demand'));
    state(ctx).demand = demand;
    await ctx.reply(t('complaint.ask.name'));
    return ctx.wizard.next();
  },
  async (ctx) => {
    const text = typed(ctx);
    if (!text) return ctx.reply(t('complaint.ask.name'));
    state(ctx).name = text;
    await ctx.reply(t('complaint.ask.phone'));
    return ctx.wizard.next();
  },
  async (ctx) => {
    const text = typed(ctx);
    if (!text || !/^1\d{10}$/.test(text)) return ctx.reply(t('complaint.ask.phone'));
    state(ctx).phone = text;
    const s = state(ctx);
    await ctx.reply(
      `${t('complaint.readback')}\n${s.category} ${s.location}\n${s.description}\n${s.name} ${s.phone}`,
      Markup.inlineKeyboard([
        Markup.button.callback('ok', 'ok'),
        Markup.button.callback('edit', 'edit'),
        Markup.button.callback('cancel', 'cancel'),
      ]),
    );
    return ctx.wizard.next();
  },
  async (ctx) => {
    if ((await pressed(ctx)) !== 'ok') return ctx.reply(t('complaint.readback'));
    const id = insertTicket.run(String(ctx.from?.id), JSON.stringify(state(ctx))).lastInsertRowid;
    await ctx.reply(t('ticket.created').replace('{{number}}', `T261207-${String(id).padStart(4, '0')}`));
    await ctx.reply(t('menu.title'), menu);
    return ctx.scene.leave();
  },
);

const bot = new Telegraf<Ctx>(env('BOT_TOKEN'), { telegram: { apiRoot: env('API_ROOT'), webhookReply: false } });
bot.use(session({ store }));
bot.use(new Scenes.Stage<Ctx>([repair]).middleware());
bot.start(async (ctx) => {
  await ctx.reply(t('welcome').replace('{{estate}}', '阳光花园'));
  await ctx.reply(t('menu.title'), menu);
});
bot.action('m.repair', async (ctx) => {
  await pressed(ctx);
  await ctx.scene.enter('repair');
});

const url = new URL(env('WEBHOOK_URL'));
const secret = env('WEBHOOK_SECRET');
bot.botInfo = await bot.telegram.getMe();
const callback = bot.webhookCallback(url.pathname, { secretToken: secret });
const server = createServer((req, res) => void callback(req, res));
await new Promise<void>((resolve) => server.listen(Number(env('PORT')), '127.0.0.1', resolve));
await bot.telegram.setWebhook(url.toString(), { secret_token: secret });
const stop = () => {
  server.close();
  db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
