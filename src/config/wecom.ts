/** The WeCom (企业微信) smart bot's variables: unset WECOM_BOT_ID and the WeCom staff group is off. */
import { invalid, optional, type Parser, pattern, wsUrl } from './parse.js';

/** `userid:name, userid:name`: the names WeCom does not tell the bot. */
const nameList: Parser<ReadonlyMap<string, string>> = (value) => {
  const names = new Map<string, string>();
  for (const item of value.split(',').map((part) => part.trim())) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const userId = colon > 0 ? item.slice(0, colon).trim() : '';
    const name = colon > 0 ? item.slice(colon + 1).trim() : '';
    if (!/^[\x21-\x7e]{1,128}$/.test(userId) || name === '' || name.length > 32) {
      return invalid(`"${item}" is not userid:name (a name of 1 to 32 characters)`);
    }
    names.set(userId, name);
  }
  return names;
};

export const wecom = {
  WECOM_BOT_ID: optional(pattern(/^[\x21-\x7e]{1,128}$/, 'not shaped like a BotID'), {
    accepts: "the smart bot's BotID from the WeCom admin console (API mode, long connection)",
  }),
  WECOM_BOT_SECRET: optional(pattern(/^[\x21-\x7e]{1,256}$/, 'not shaped like a long-connection Secret'), {
    accepts: "the smart bot's long-connection Secret",
    secret: true,
  }),
  WECOM_STAFF_CHAT_ID: optional(pattern(/^[\x21-\x7e]{1,128}$/, 'not shaped like a WeCom chatid'), {
    accepts: "the staff group's chatid (logged when someone in a group @mentions the bot)",
  }),
  WECOM_WS_URL: optional(wsUrl(), { accepts: 'a ws or wss URL' }),
  WECOM_STAFF_NAMES: optional(nameList, {
    accepts: 'userid:name pairs separated by commas, e.g. wangwei:王师傅,lina:李娜 (WeCom gives the bot only userids)',
  }),
};
