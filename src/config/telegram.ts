/** The Telegram bot's variables: unset TELEGRAM_BOT_TOKEN and Telegram is off. */
import { httpUrl, integer, optional, pattern, withDefault } from './parse.js';

export const telegram = {
  TELEGRAM_BOT_TOKEN: optional(pattern(/^\d+:[A-Za-z0-9_-]+$/, 'not shaped like a bot token'), {
    accepts: 'the token from @BotFather: digits, a colon, then letters, digits, _ and -',
    secret: true,
  }),
  TELEGRAM_STAFF_CHAT_ID: optional(integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), {
    accepts: 'the staff group chat id, a whole number such as -1001234567890',
  }),
  TELEGRAM_API_ROOT: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  TELEGRAM_WEBHOOK_URL: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  TELEGRAM_WEBHOOK_SECRET: optional(pattern(/^[A-Za-z0-9_-]{1,256}$/, 'not a valid webhook secret'), {
    accepts: '1–256 characters from A-Z, a-z, 0-9, _ and -',
    secret: true,
  }),
  PORT: withDefault('8080', integer(1, 65535), { accepts: 'a port number from 1 to 65535' }),
  // Telegram allows 30 a second (up to 1,000 with paid broadcasts); more is accepted for a Bot API without
  // limits, such as the benchmark's, which must not be held at 1,000 to see the pipeline.
  TELEGRAM_RATE_GLOBAL: withDefault('30', integer(1, 100_000), { accepts: 'messages per second, 1 to 100000' }),
  TELEGRAM_RATE_PRIVATE: withDefault('1', integer(1, 1000), { accepts: 'messages per second to one chat, 1 to 1000' }),
  TELEGRAM_RATE_GROUP: withDefault('20', integer(1, 1000), {
    accepts: 'messages per minute to one group, 1 to 1000',
  }),
};
