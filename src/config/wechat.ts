/** The personal WeChat (Wechaty) variables: unset WECHATY_PUPPET and personal WeChat is off. */
import { BOOLEAN, boolean, DURATION, duration, optional, text, withDefault } from './parse.js';

export const wechat = {
  WECHATY_PUPPET: optional(text(), { accepts: 'a Wechaty puppet name such as wechaty-puppet-wechat4u' }),
  WECHAT_STAFF_ROOM: optional(text(), { accepts: 'the topic or id of the staff group room' }),
  WECHAT_ACCEPT_FRIENDS: withDefault('false', boolean, { accepts: BOOLEAN }),
  WECHAT_SEND_INTERVAL: withDefault('1500ms', duration({ allowZero: true }), { accepts: DURATION }),
};
