/**
 * The Bot API client: one POST per method, JSON in and out, over kept-alive connections; files (a photo,
 * an album, a document) as multipart form data.
 *
 * Telegraf was used only as this client (the webhook, the limiter and the delivery are our own), and
 * measured on the bot's real path it cost more than the job: it opened a new connection for every call
 * to a plain-HTTP API root (a local Bot API server, as large deployments run), went through node-fetch 2
 * and whatwg-url, and loading it was a tenth of the bot's start-up. Errors keep the Bot API's own shape
 * (`error_code`, `description`, `parameters.retry_after` / `migrate_to_chat_id`), as {@link BotApiError}.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The Bot API's answer to a call it refused. */
export interface BotApiRefusal {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** A call the Bot API refused (or answered with something that is not the Bot API's JSON). */
export class BotApiError extends Error {
  readonly code: number;
  readonly description: string;
  readonly parameters: BotApiRefusal['parameters'];

  constructor(
    readonly response: BotApiRefusal,
    readonly method: string,
  ) {
    super(`${response.error_code}: ${response.description}`);
    this.name = 'BotApiError';
    this.code = response.error_code;
    this.description = response.description;
    this.parameters = response.parameters;
  }
}

/** A file to upload: its bytes and its name (the shape the channel's file sends use). */
export interface InputFile {
  source: Buffer;
  filename: string;
}

const isInputFile = (value: unknown): value is InputFile =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as Partial<InputFile>).source);

export interface BotApiOptions {
  token: string;
  /** Default https://api.telegram.org. */
  apiRoot?: string;
  /** Connections kept open to the API root; default 64. */
  maxSockets?: number;
}

/**
 * How long a call may take: `timeoutMs` gives up with a TimeoutError (as `AbortSignal.timeout` does), and
 * `signal` (long polling's stop) with its reason.
 *
 * The timeout is a plain timer, not `AbortSignal.timeout`: on Node 20 such a signal cost a call 30–60 µs of
 * CPU on top of the request's 70 (measured against a local server, 16 calls at once), a third of every Bot
 * API call the bot makes.
 */
export interface CallLimit {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BotApi {
  /** Calls `method`; resolves with its `result`, rejects with a BotApiError, a network error, a TimeoutError or the signal's reason. */
  call(method: string, payload: Record<string, unknown>, limit?: CallLimit): Promise<unknown>;
  /** Closes the kept-alive connections. */
  close(): void;
}

export function createBotApi(o: BotApiOptions): BotApi {
  const root = new URL(o.apiRoot ?? 'https://api.telegram.org');
  const secure = root.protocol === 'https:';
  const agentOptions = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: o.maxSockets ?? 64 };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const request = secure ? httpsRequest : httpRequest;
  const base = `${root.href.replace(/\/+$/, '')}/bot${o.token}/`;

  const json = (method: string, payload: Record<string, unknown>, limit: CallLimit) =>
    new Promise<unknown>((resolve, reject) => {
      const { signal, timeoutMs } = limit;
      const body = Buffer.from(JSON.stringify(payload));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle =
        <T>(answer: (value: T) => void) =>
        (value: T) => {
          if (timer !== undefined) clearTimeout(timer);
          answer(value);
        };
      const req = request(
        `${base}${method}`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
          ...(signal ? { signal } : {}),
        },
        (res) => {
          readAnswer(res, method).then(settle(resolve), settle(reject));
        },
      );
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          // Given up first (the promise keeps this answer), then the connection is let go.
          reject(timedOut());
          req.destroy();
        }, timeoutMs);
        timer.unref(); // as AbortSignal.timeout's: a call in progress does not keep the process alive by its timer
      }
      req.once('error', (error) => settle(reject)(signal?.aborted ? (signal.reason ?? error) : error));
      req.end(body);
    });

  const multipart = async (method: string, payload: Record<string, unknown>, limit: CallLimit) => {
    // Files are few: a signal for the timeout costs nothing that matters here.
    const timeout = limit.timeoutMs === undefined ? undefined : AbortSignal.timeout(limit.timeoutMs);
    const signals = [limit.signal, timeout].filter((x): x is AbortSignal => x !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const form = new FormData();
    let n = 0;
    const attach = (file: InputFile) => {
      n += 1;
      const name = `file${n}`;
      form.append(name, new Blob([file.source]), file.filename);
      return `attach://${name}`;
    };
    for (const [key, value] of Object.entries(payload)) {
      if (value === undefined) continue;
      if (isInputFile(value)) {
        form.append(key, new Blob([value.source]), value.filename);
      } else if (key === 'media' && Array.isArray(value)) {
        const media = value.map((item: Record<string, unknown>) =>
          isInputFile(item.media) ? { ...item, media: attach(item.media) } : item,
        );
        form.append(key, JSON.stringify(media));
      } else {
        form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
      }
    }
    const res = await fetch(`${base}${method}`, { method: 'POST', body: form, ...(signal ? { signal } : {}) });
    return answerOf(res.status, await res.text(), method);
  };

  return {
    call(method, payload, limit = {}) {
      const hasFile = Object.values(payload).some(
        (v) => isInputFile(v) || (Array.isArray(v) && v.some((item) => isInputFile(item?.media))),
      );
      return hasFile ? multipart(method, payload, limit) : json(method, payload, limit);
    },
    close() {
      agent.destroy();
    },
  };
}

/** The reason a call given up at its timeout fails with: what `AbortSignal.timeout` gives. */
function timedOut(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** Reads a response body whole and turns it into the call's result or a BotApiError. */
function readAnswer(res: IncomingMessage, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('error', reject);
    // A connection cut mid-answer (the call's signal, the server going away) ends the read without an end.
    res.once('close', () => {
      if (!res.complete) reject(new Error('the Bot API answer was cut off'));
    });
    res.once('end', () => {
      try {
        resolve(answerOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), method));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function answerOf(status: number, text: string, method: string): unknown {
  let data: { ok?: unknown; result?: unknown; error_code?: unknown; description?: unknown; parameters?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    // Not the Bot API's JSON (a proxy's error page): its status is what there is to go on.
    throw new BotApiError({ ok: false, error_code: status || 502, description: 'the answer was not JSON' }, method);
  }
  if (data.ok === true) return data.result;
  throw new BotApiError(
    {
      ok: false,
      error_code: typeof data.error_code === 'number' ? data.error_code : status || 502,
      description: typeof data.description === 'string' ? data.description : 'no description',
      ...(typeof data.parameters === 'object' && data.parameters !== null
        ? { parameters: data.parameters as BotApiRefusal['parameters'] }
        : {}),
    },
    method,
  );
}
