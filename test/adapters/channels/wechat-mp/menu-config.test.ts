import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMenu, MENU_COMMANDS, MenuFileError, menuJson } from '../../../../src/adapters/channels/wechat-mp/menu.js';
import {
  loadTemplates,
  TemplateFileError,
  templateData,
} from '../../../../src/adapters/channels/wechat-mp/templates.js';
import { isConsoleMode } from '../../../../src/bootstrap.js';
import { ConfigError, loadConfig } from '../../../../src/config.js';
import { parseCommand } from '../../../../src/core/flow/words.js';
import { LOCALES } from '../../../../src/core/types.js';
import { i18n, registry } from '../../../support/harness.js';

const texts = { ...i18n, locales: LOCALES };
const dir = mkdtempSync(join(tmpdir(), 'residesk-mp-menu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function menuFile(yaml: string): string {
  const file = join(dir, `menu-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

describe('the Service Account menu file', () => {
  it('every command a button may name is one owners can type', () => {
    for (const command of MENU_COMMANDS) expect(parseCommand(`/${command}`, registry), command).toBeDefined();
  });

  it('reads the shipped menu, within WeChat’s limits in both languages', () => {
    const spec = loadMenu('flows/wechat-mp/menu.yaml', texts);
    const json = menuJson(spec, 'en', i18n.translate);
    expect(json.button).toHaveLength(3);
    expect(json.button[0]).toEqual({ type: 'click', name: '🔧 Repair', key: 'repair' });
  });

  it('names every mistake, one line each', () => {
    const file = menuFile(
      [
        'buttons:',
        '  - label: menu.complaint', // 📝 Make a complaint: 21 bytes, over the 16 of a top button
        '    command: complain',
        '  - label: no.such.key',
        '    command: repair',
        '  - label: wechat_mp.menu.services',
        '    command: help',
        '    buttons: [{ label: menu.lang, command: lang }]',
      ].join('\n'),
    );
    let error: unknown;
    try {
      loadMenu(file, texts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MenuFileError);
    expect((error as MenuFileError).problems).toEqual([
      'buttons.0: "📝 Make a complaint" (en) is 21 bytes; WeChat allows 16',
      'buttons.1: label no.such.key is not a text key in every language',
      'buttons.2: give exactly one of command, url or buttons',
    ]);
    expect(() => loadMenu(menuFile('buttons:\n  - label: menu.lang\n    command: dance\n'), texts)).toThrow(
      /buttons\.0\.command/,
    );
  });
});

describe('the Service Account template file', () => {
  it('reads the shipped file: no template until the company adds its own', () => {
    expect(loadTemplates('flows/wechat-mp/templates.yaml').size).toBe(0);
  });

  it('maps each kind of message to its template, and fills the fields within their lengths', () => {
    const file = menuFile(
      [
        'templates:',
        '  revisit_invitation:',
        '    template_id: Rv0123456789abcdefghij',
        '    fields:',
        '      character_string1: ref',
        '      thing2: title',
        '      thing3: text',
        '      time4: when',
        '      thing5: { fixed: 请进入公众号回复 }',
        '    url: https://example.com/revisit',
      ].join('\n'),
    );
    const templates = loadTemplates(file);
    expect([...templates.keys()]).toEqual(['revisit_invitation']);
    const spec = templates.get('revisit_invitation');
    if (!spec) throw new Error('no template');
    const data = templateData(spec, {
      purpose: { kind: 'revisit_invitation', ref: 'T261128-0001', title: '维修' },
      text: '您好，关于您的报修 T261128-0001 已处理完毕，想占用您一分钟做个回访，可以吗？',
      when: '2026-11-30 10:00',
    });
    expect(data).toEqual({
      character_string1: { value: 'T261128-0001' },
      thing2: { value: '维修' },
      thing3: { value: '您好，关于您的报修 T261128-0…' },
      time4: { value: '2026-11-30 10:00' },
      thing5: { value: '请进入公众号回复' },
    });
    expect([...(data.thing3?.value ?? '')]).toHaveLength(20);
  });

  it('names every mistake, one line each', () => {
    const file = menuFile(
      [
        'templates:',
        '  ticket_progres:',
        '    template_id: x',
        '  notice:',
        '    template_id: "!!"',
        '    fields: { thing1: titel }',
        '  survey_invitation:',
        '    template_id: Sv0123456789abcdefghij',
        '    fields: {}',
      ].join('\n'),
    );
    let error: unknown;
    try {
      loadTemplates(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateFileError);
    const problems = (error as TemplateFileError).problems;
    expect(problems.some((p) => p.startsWith('templates.notice.template_id:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('templates.notice.fields.thing1:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('templates.survey_invitation.fields: name at least one field'))).toBe(
      true,
    );
    expect(problems.some((p) => p.includes('ticket_progres') && p.includes('kinds: ticket_progress'))).toBe(true);
    expect(problems).toHaveLength(4);
  });
});

describe('the Service Account configuration', () => {
  const base = {
    WECHAT_MP_APP_ID: 'wx5823bf96d3bd56c7',
    WECHAT_MP_APP_SECRET: '0123456789abcdef0123456789abcdef',
    WECHAT_MP_TOKEN: 'QDG6eK',
  };

  it('is a channel of its own: a Service Account alone does not start the console', () => {
    expect(isConsoleMode(loadConfig({}))).toBe(true);
    expect(isConsoleMode(loadConfig(base))).toBe(false);
  });

  it('is off without an AppID, and on with defaults for the rest', () => {
    expect(loadConfig({}).wechatMp).toBeNull();
    expect(loadConfig(base).wechatMp).toEqual({
      appId: base.WECHAT_MP_APP_ID,
      appSecret: base.WECHAT_MP_APP_SECRET,
      token: 'QDG6eK',
      path: '/wechat-mp',
      port: 8081,
      menuFile: 'flows/wechat-mp/menu.yaml',
      templatesFile: 'flows/wechat-mp/templates.yaml',
    });
    expect(loadConfig({ ...base, WECHAT_MP_MENU: 'off' }).wechatMp?.menuFile).toBeNull();
    expect(loadConfig({ ...base, WECHAT_MP_TEMPLATES: 'OFF' }).wechatMp?.templatesFile).toBeNull();
  });

  it('reports each mistake on its own line and never echoes a secret', () => {
    let error: unknown;
    try {
      loadConfig({
        WECHAT_MP_APP_ID: 'gh_7f083739789a',
        WECHAT_MP_AES_KEY: 'short-secret-key',
        WECHAT_MP_PATH: '/healthz',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'WECHAT_MP_APP_ID',
      'WECHAT_MP_APP_SECRET',
      'WECHAT_MP_TOKEN',
      'WECHAT_MP_AES_KEY',
      'WECHAT_MP_PATH',
    ]);
    expect(problems.join('\n')).not.toContain('short-secret-key');
    expect(problems[1]).toContain('required when WECHAT_MP_APP_ID is set');
  });
});
