/**
 * A local HTTP server speaking the OpenAI chat completions API, started by the tests on a free port.
 * Each request takes the next queued reply (or the default one) and is recorded with its parsed body.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  status?: number;
  /** A JSON body to send as is. */
  body?: unknown;
  /** A raw body (for answers that are not even JSON). */
  raw?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    response_format?: {
      type: string;
      json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> };
    };
    temperature?: number;
    max_tokens?: number;
  };
}

/** A chat completion whose message content is `content` (stringified when an object). */
export function completion(
  content: unknown,
  usage: { prompt_tokens: number; completion_tokens: number } = { prompt_tokens: 120, completion_tokens: 30 },
): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_764_288_000,
    model: 'test-model',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: typeof content === 'string' ? content : JSON.stringify(content),
          refusal: null,
        },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private server?: Server;
  defaultReply: FakeReply = { status: 500, body: { error: { message: 'no reply queued', type: 'server_error' } } };

  /** Queues replies, used in order by the next requests. */
  reply(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Starts on a free port; resolves to the base URL for the client (…/v1). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: RecordedRequest['body'] = {};
        try {
          body = text ? (JSON.parse(text) as RecordedRequest['body']) : {};
        } catch {
          body = {};
        }
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const r = this.queue.shift() ?? this.defaultReply;
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
          res.end(r.raw ?? JSON.stringify(r.body ?? {}));
        };
        if (r.delayMs) setTimeout(send, r.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The user message of the n-th request (what the model was given to read). */
  userMessage(n = 0): string {
    return this.requests[n]?.body.messages?.find((m) => m.role === 'user')?.content ?? '';
  }
}
