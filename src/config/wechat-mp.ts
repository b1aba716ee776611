/** The WeChat Service Account (服务号) variables: unset WECHAT_MP_APP_ID and the Service Account is off. */
import { httpUrl, integer, invalid, optional, type Parser, pattern, text, withDefault } from './parse.js';

/** A callback's URL path; /healthz is the health check's. */
const callbackPath: Parser<string> = (value) => {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(value)) return invalid('not a URL path');
  return value === '/healthz' ? invalid('/healthz is the health check') : value;
};

export const wechatMp = {
  WECHAT_MP_APP_ID: optional(pattern(/^wx[0-9a-f]{16}$/, 'not shaped like an AppID'), {
    accepts: "the Service Account's AppID: wx and 16 hex digits",
  }),
  WECHAT_MP_APP_SECRET: optional(pattern(/^[0-9a-f]{32}$/i, 'not shaped like an AppSecret'), {
    accepts: 'the AppSecret: 32 hex digits',
    secret: true,
  }),
  WECHAT_MP_TOKEN: optional(pattern(/^[A-Za-z0-9]{3,32}$/, 'not 3–32 letters and digits'), {
    accepts: 'the Token set with the server URL: 3–32 letters and digits',
    secret: true,
  }),
  WECHAT_MP_AES_KEY: optional(pattern(/^[A-Za-z0-9]{43}$/, 'not 43 letters and digits'), {
    accepts: 'the EncodingAESKey: 43 letters and digits',
    secret: true,
  }),
  WECHAT_MP_API_ROOT: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  WECHAT_MP_PATH: withDefault('/wechat-mp', callbackPath, {
    accepts: 'a URL path such as /wechat-mp (letters, digits, - _ . /), not /healthz',
  }),
  WECHAT_MP_PORT: withDefault('8081', integer(1, 65535), { accepts: 'a port number from 1 to 65535' }),
  WECHAT_MP_MENU: withDefault('flows/wechat-mp/menu.yaml', text(1000), {
    accepts: "a menu file's path, or off to leave the account's menu as it is",
  }),
  WECHAT_MP_TEMPLATES: withDefault('flows/wechat-mp/templates.yaml', text(1000), {
    accepts: "a template file's path, or off to configure no template message",
  }),
};
