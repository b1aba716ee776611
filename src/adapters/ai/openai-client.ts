/**
 * The plumbing under OpenAIAssistant: one structured chat-completions call with the calls-per-minute
 * cap, a timeout, one retry on a transient HTTP failure (5xx, 429, connection reset — not after a
 * timeout, the owner has waited long enough), the API's errors mapped to a named {@link Failure}, and
 * token usage counted per call and in total. It promises never to throw: every failure comes back as
 * undefined with a warning that holds no content; prompts and answers are logged at debug only.
 */

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import type { Clock } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import type { AiUsage } from './assistant.js';
import { CallBucket } from './rate-limit.js';

export type AiConfig = NonNullable<Config['ai']>;

export type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** Why a model answer was not used (logged as `reason`, never with content). */
type Failure =
  | 'rate_capped'
  | 'timeout'
  | 'connection'
  | 'http'
  | 'refused'
  | 'truncated'
  | 'bad_json'
  | 'invalid'
  | 'rejected'
  | 'error';

class CallFailed extends Error {
  constructor(
    readonly reason: Failure,
    readonly status?: number,
  ) {
    super(reason);
  }
}

export interface OpenAIAssistantOptions {
  /** A fetch for the client (tests); the global one otherwise. */
  fetch?: typeof fetch;
}

/** What one structured call asks for: the JSON Schema sent (strict) and the zod schema the answer must pass. */
export interface StructuredCall<T> {
  op: string;
  messages: Message[];
  name: string;
  jsonSchema: Record<string, unknown>;
  schema: z.ZodType<T>;
  maxTokens: number;
}

export class ModelClient {
  private readonly client: OpenAI;
  private readonly bucket: CallBucket;
  private readonly totals: AiUsage = { calls: 0, promptTokens: 0, completionTokens: 0, fallbacks: 0 };

  constructor(
    private readonly config: AiConfig,
    private readonly log: Logger,
    clock: Clock,
    opts: OpenAIAssistantOptions = {},
  ) {
    this.client = new OpenAI({
      apiKey: config.apiKey,
      ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
      timeout: config.timeoutMs,
      maxRetries: 0,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.bucket = new CallBucket(config.callsPerMinute, clock);
  }

  usage(): AiUsage {
    return { ...this.totals };
  }

  /** Counts a fallback to the offline result and logs why, without content. */
  fallback(op: string, reason: Failure | 'instructions_in_text', status?: number): void {
    this.totals.fallbacks += 1;
    this.log.warn(
      { op, reason, ...(status !== undefined ? { status } : {}) },
      'AI call not used; offline result instead',
    );
  }

  /**
   * One structured call: the rate cap, a request (and one retry on a transient failure), usage, and the
   * answer parsed and validated. Undefined on any failure (already logged).
   */
  async ask<T>(call: StructuredCall<T>): Promise<T | undefined> {
    const { op, schema } = call;
    try {
      const content = await this.request(call);
      let json: unknown;
      try {
        json = JSON.parse(content);
      } catch {
        throw new CallFailed('bad_json');
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new CallFailed('invalid');
      return parsed.data;
    } catch (error) {
      if (error instanceof CallFailed) this.fallback(op, error.reason, error.status);
      else {
        this.fallback(op, 'error');
        this.log.debug({ op, err: error }, 'AI call error');
      }
      return undefined;
    }
  }

  private async request({ op, messages, name, jsonSchema, maxTokens }: StructuredCall<unknown>): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      if (!this.bucket.take()) throw new CallFailed('rate_capped');
      try {
        const started = Date.now();
        const res = await this.client.chat.completions.create(
          {
            model: this.config.model,
            messages,
            temperature: 0,
            max_tokens: maxTokens,
            response_format: { type: 'json_schema', json_schema: { name, strict: true, schema: jsonSchema } },
          },
          { timeout: this.config.timeoutMs, maxRetries: 0 },
        );
        this.account(op, res.usage, Date.now() - started);
        const choice = res.choices?.[0];
        const content = choice?.message?.content;
        this.log.debug({ op, prompt: messages, answer: content ?? choice?.message?.refusal ?? null }, 'AI exchange');
        if (choice?.message?.refusal) throw new CallFailed('refused');
        if (choice?.finish_reason === 'length') throw new CallFailed('truncated');
        if (typeof content !== 'string' || content.trim() === '') throw new CallFailed('bad_json');
        return content;
      } catch (error) {
        if (error instanceof CallFailed) throw error;
        const failure = classifyError(error);
        if (failure.retry && attempt === 1) {
          this.log.debug({ op, reason: failure.reason, status: failure.status }, 'AI call failed; retrying once');
          continue;
        }
        throw new CallFailed(failure.reason, failure.status);
      }
    }
  }

  private account(op: string, usage: OpenAI.Completions.CompletionUsage | undefined, ms: number): void {
    const promptTokens = usage?.prompt_tokens ?? 0;
    const completionTokens = usage?.completion_tokens ?? 0;
    this.totals.calls += 1;
    this.totals.promptTokens += promptTokens;
    this.totals.completionTokens += completionTokens;
    this.log.info(
      {
        op,
        model: this.config.model,
        ms,
        promptTokens,
        completionTokens,
        totalCalls: this.totals.calls,
        totalPromptTokens: this.totals.promptTokens,
        totalCompletionTokens: this.totals.completionTokens,
      },
      'AI call',
    );
  }
}

function classifyError(error: unknown): { reason: Failure; retry: boolean; status?: number } {
  if (error instanceof APIConnectionTimeoutError) return { reason: 'timeout', retry: false };
  if (error instanceof APIConnectionError) return { reason: 'connection', retry: true };
  if (error instanceof APIError) {
    const status = error.status;
    const transient = status === undefined || status === 429 || status >= 500;
    return { reason: 'http', retry: transient, ...(status !== undefined ? { status } : {}) };
  }
  return { reason: 'error', retry: false };
}
