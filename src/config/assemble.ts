/** Builds the {@link Config} from the parsed variables: a platform is on only when all it needs is set. */
import type { Values } from './schema.js';
import type { Config } from './types.js';

export function toConfig(v: Values): Config {
  return {
    dataDir: v.DATA_DIR,
    defaultLocale: v.DEFAULT_LOCALE,
    timeZone: v.TZ,
    estateName: v.ESTATE_NAME,
    dutyPhone: v.DUTY_PHONE ?? '',
    startupRetryMs: v.STARTUP_RETRY,
    retention: {
      messageLogMs: v.RETAIN_MESSAGE_LOG,
      deliveredOutboxMs: v.RETAIN_DELIVERED_OUTBOX,
      auditLogMs: v.RETAIN_AUDIT_LOG,
    },
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    supervisors: v.SUPERVISORS ?? [],
    managers: v.MANAGERS ?? [],
    businessHours: v.BUSINESS_HOURS,
    quietHours: v.QUIET_HOURS,
    schedulerTickMs: v.SCHEDULER_TICK,
    reviewAutoSend: v.REVIEW_AUTOSEND,
    broadcastPerSecond: v.BROADCAST_RATE,
    delivery: { concurrency: v.SEND_CONCURRENCY, sendTimeoutMs: v.SEND_TIMEOUT, leaseMs: v.OUTBOX_LEASE },
    revisitAfterMs: v.REVISIT_AFTER,
    revisitRemindAfterMs: v.REVISIT_REMIND_AFTER,
    revisitReopenAt: v.REVISIT_REOPEN_AT,
    revisitAfterByCategory: v.REVISIT_AFTER_BY_CATEGORY ?? {},
    sla: {
      emergency: { acceptMs: v.SLA_EMERGENCY_ACCEPT, resolveMs: v.SLA_EMERGENCY_RESOLVE },
      urgent: { acceptMs: v.SLA_URGENT_ACCEPT, resolveMs: v.SLA_URGENT_RESOLVE },
      normal: { acceptMs: v.SLA_NORMAL_ACCEPT, resolveMs: v.SLA_NORMAL_RESOLVE },
      complaint: {
        acceptMs: v.SLA_COMPLAINT_ACCEPT,
        progressMs: v.SLA_COMPLAINT_PROGRESS,
        resolveMs: v.SLA_COMPLAINT_RESOLVE,
      },
    },
    enquiryAnswerMs: v.SLA_ENQUIRY_ANSWER,
    telegram:
      v.TELEGRAM_BOT_TOKEN !== undefined && v.TELEGRAM_STAFF_CHAT_ID !== undefined
        ? {
            token: v.TELEGRAM_BOT_TOKEN,
            staffChatId: v.TELEGRAM_STAFF_CHAT_ID,
            ...definedOnly({
              apiRoot: v.TELEGRAM_API_ROOT,
              webhookUrl: v.TELEGRAM_WEBHOOK_URL,
              webhookSecret: v.TELEGRAM_WEBHOOK_SECRET,
            }),
            port: v.PORT,
            rates: {
              globalPerSecond: v.TELEGRAM_RATE_GLOBAL,
              privatePerSecond: v.TELEGRAM_RATE_PRIVATE,
              groupPerMinute: v.TELEGRAM_RATE_GROUP,
            },
          }
        : null,
    wechat:
      v.WECHATY_PUPPET !== undefined && v.WECHAT_STAFF_ROOM !== undefined
        ? {
            puppet: v.WECHATY_PUPPET,
            staffRoom: v.WECHAT_STAFF_ROOM,
            acceptFriends: v.WECHAT_ACCEPT_FRIENDS,
            sendIntervalMs: v.WECHAT_SEND_INTERVAL,
          }
        : null,
    wecom:
      v.WECOM_BOT_ID !== undefined && v.WECOM_BOT_SECRET !== undefined && v.WECOM_STAFF_CHAT_ID !== undefined
        ? {
            botId: v.WECOM_BOT_ID,
            secret: v.WECOM_BOT_SECRET,
            staffChatId: v.WECOM_STAFF_CHAT_ID,
            ...definedOnly({ wsUrl: v.WECOM_WS_URL }),
            staffNames: v.WECOM_STAFF_NAMES ?? new Map(),
          }
        : null,
    wechatMp:
      v.WECHAT_MP_APP_ID !== undefined && v.WECHAT_MP_APP_SECRET !== undefined && v.WECHAT_MP_TOKEN !== undefined
        ? {
            appId: v.WECHAT_MP_APP_ID,
            appSecret: v.WECHAT_MP_APP_SECRET,
            token: v.WECHAT_MP_TOKEN,
            ...definedOnly({ aesKey: v.WECHAT_MP_AES_KEY, apiRoot: v.WECHAT_MP_API_ROOT }),
            path: v.WECHAT_MP_PATH,
            port: v.WECHAT_MP_PORT,
            menuFile: v.WECHAT_MP_MENU.toLowerCase() === 'off' ? null : v.WECHAT_MP_MENU,
            templatesFile: v.WECHAT_MP_TEMPLATES.toLowerCase() === 'off' ? null : v.WECHAT_MP_TEMPLATES,
          }
        : null,
    mongo:
      v.MONGODB_URI !== undefined
        ? { uri: v.MONGODB_URI, serverSelectionTimeoutMs: v.MONGODB_SERVER_SELECTION_TIMEOUT }
        : null,
    ai:
      v.OPENAI_API_KEY !== undefined
        ? {
            apiKey: v.OPENAI_API_KEY,
            ...definedOnly({ baseUrl: v.OPENAI_BASE_URL }),
            model: v.OPENAI_MODEL,
            timeoutMs: v.AI_TIMEOUT,
            callsPerMinute: v.AI_CALLS_PER_MINUTE,
            sendPersonalData: v.AI_SEND_PERSONAL_DATA,
          }
        : null,
  };
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
