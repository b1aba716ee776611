/** The shape of the validated configuration that `loadConfig` returns. */
import type { SlaDeadlines } from '../core/tickets/sla.js';
import type { DailyWindow } from '../core/time.js';
import type { Channel, Locale } from '../core/types.js';
import type { LogFormat, LogLevel } from '../logger.js';

export type { DailyWindow, SlaDeadlines };

/** A staff member named in configuration by platform user id, optionally tied to one channel. */
export interface StaffRef {
  readonly channel?: Channel;
  readonly userId: string;
}

/** The validated, frozen application configuration. */
export interface Config {
  /** Where the embedded SQLite store and attachments live. */
  readonly dataDir: string;
  readonly defaultLocale: Locale;
  /** IANA zone that business hours, quiet hours and dates are reckoned in. */
  readonly timeZone: string;
  readonly estateName: string;
  /** The duty phone owners are told to ring in an emergency; `''` when not configured. */
  readonly dutyPhone: string;
  /** How long start-up keeps trying a messaging platform that does not answer before exiting with status 3. */
  readonly startupRetryMs: number;
  /** How long the message log and delivered outbox items are kept (see src/app/retention.ts). */
  readonly retention: {
    readonly messageLogMs: number;
    readonly deliveredOutboxMs: number;
    readonly auditLogMs: number;
  };
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly supervisors: readonly StaffRef[];
  readonly managers: readonly StaffRef[];
  /** The service centre's working hours; never wraps midnight. */
  readonly businessHours: DailyWindow;
  /** When owners are not sent non-urgent messages; null when switched off. */
  readonly quietHours: DailyWindow | null;
  readonly schedulerTickMs: number;
  /** Whether the month's (and quarter's) review report goes to the staff rooms by itself (REVIEW_AUTOSEND). */
  readonly reviewAutoSend: boolean;
  /** Survey invitations a second on Telegram (below its 30 a second, with room kept for conversations). */
  readonly broadcastPerSecond: number;
  /**
   * The dispatcher: deliveries at once (each to a different chat), how long one may take before its
   * outcome is taken as unknown, and how long an outbox lease outlives a stopped process.
   */
  readonly delivery: { readonly concurrency: number; readonly sendTimeoutMs: number; readonly leaseMs: number };
  /** How long after a ticket is resolved the owner is asked how it went. */
  readonly revisitAfterMs: number;
  /** How long after an unanswered revisit question the owner is reminded once. */
  readonly revisitRemindAfterMs: number;
  /** A revisit satisfaction score (1–10) at or below this reopens the ticket. */
  readonly revisitReopenAt: number;
  /** Per-category overrides of `revisitAfterMs`, keyed by category. */
  readonly revisitAfterByCategory: Readonly<Record<string, number>>;
  readonly sla: {
    readonly emergency: SlaDeadlines;
    readonly urgent: SlaDeadlines;
    /** Counted in business time. */
    readonly normal: SlaDeadlines;
    readonly complaint: SlaDeadlines & { readonly progressMs: number };
  };
  /**
   * How long staff have to answer an enquiry (咨询) or 转人工 the knowledge did not answer, counted in
   * business time: asked out of hours, it runs from the next opening.
   */
  readonly enquiryAnswerMs: number;
  /** Null when TELEGRAM_BOT_TOKEN is not set. */
  readonly telegram: null | {
    readonly token: string;
    readonly staffChatId: number;
    readonly apiRoot?: string;
    readonly webhookUrl?: string;
    readonly webhookSecret?: string;
    readonly port: number;
    readonly rates: {
      readonly globalPerSecond: number;
      readonly privatePerSecond: number;
      readonly groupPerMinute: number;
    };
  };
  /** Null when WECHATY_PUPPET is not set. */
  readonly wechat: null | {
    readonly puppet: string;
    readonly staffRoom: string;
    readonly acceptFriends: boolean;
    readonly sendIntervalMs: number;
  };
  /** Null when WECOM_BOT_ID is not set: the WeCom (企业微信) smart bot in the staff group. */
  readonly wecom: null | {
    readonly botId: string;
    readonly secret: string;
    /** The staff group's chatid, as WeCom gives it with a message from the group. */
    readonly staffChatId: string;
    /** The long-connection address; WeCom's own (wss://openws.work.weixin.qq.com) when unset. */
    readonly wsUrl?: string;
    /** Staff names by WeCom userid (WeCom tells the bot only the userid): what cards and owners are shown. */
    readonly staffNames: ReadonlyMap<string, string>;
  };
  /** Null when WECHAT_MP_APP_ID is not set: the WeChat Service Account (服务号) for owners. */
  readonly wechatMp: null | {
    readonly appId: string;
    readonly appSecret: string;
    /** The callback's Token, set on the platform beside the server URL. */
    readonly token: string;
    /** The EncodingAESKey for safe mode; plain mode only when unset. */
    readonly aesKey?: string;
    /** The API's base address; WeChat's own when unset (a local server in tests). */
    readonly apiRoot?: string;
    /** The callback's URL path, and the port its server listens on. */
    readonly path: string;
    readonly port: number;
    /** The menu file created at start-up; null to leave the account's menu as it is. */
    readonly menuFile: string | null;
    /**
     * The template messages (模板消息) per message type, sent when the reply window is closed; null (or
     * unset) for none: staff are then asked to phone the owner.
     */
    readonly templatesFile?: string | null;
  };
  /** Null when MONGODB_URI is not set. */
  readonly mongo: null | {
    readonly uri: string;
    readonly serverSelectionTimeoutMs: number;
  };
  /** Null when OPENAI_API_KEY is not set. */
  readonly ai: null | {
    readonly apiKey: string;
    readonly baseUrl?: string;
    readonly model: string;
    readonly timeoutMs: number;
    readonly callsPerMinute: number;
    /** Whether names, phone numbers and flat numbers may be sent to the model. */
    readonly sendPersonalData: boolean;
  };
}
