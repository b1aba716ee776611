/**
 * The Service Account's callback URL as a node:http handler. GET is WeChat checking the URL: the
 * signature over token, timestamp and nonce, answered with `echostr` (plain, also in safe mode). POST is
 * a message or event: the signature checked first, then in safe mode (`encrypt_type=aes`, an Encrypt
 * field) the message signature, the decryption, the AppID inside and the garbage a wrong EncodingAESKey
 * yields; then it is answered `success` at once — WeChat waits 5 s and then retries, three times — and
 * handed on to be handled after the answer. What is refused is counted in one log line a minute per kind;
 * nothing of the message reaches the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, RepeatedWarning } from '../../../logger.js';
import { messageSignatureOk, openMessage, signatureOk } from './crypto.js';
import { type MpMessage, readEnvelope, readXml, toMessage } from './xml.js';

export interface CallbackOptions {
  /** WECHAT_MP_TOKEN: what the signatures are made with. */
  token: string;
  appId: string;
  /** WECHAT_MP_AES_KEY; without it only plain-mode messages can be read. */
  aesKey?: string;
  /** The URL path the callback answers on (WECHAT_MP_PATH). */
  path: string;
  log: Logger;
  /** Takes one message after it was answered; must not throw (it queues the work). */
  accept: (message: MpMessage) => void;
  /** GET /healthz: the status and body to answer. */
  health: () => { status: number; body: string };
  /** Largest body read; default 256 kB (a callback is a few hundred bytes). */
  maxBodyBytes?: number;
}

/** The answer WeChat takes as "received, nothing to reply" (any reply goes through 客服消息). */
export const ACK = 'success';

/** A node:http request handler for the callback and /healthz. */
export function callbackHandler(o: CallbackOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const refused = {
    signature: new RepeatedWarning(o.log, 'WeChat Service Account callback refused: wrong signature'),
    garbage: new RepeatedWarning(
      o.log,
      'WeChat Service Account message could not be decrypted: WECHAT_MP_AES_KEY does not match the EncodingAESKey set on the platform',
    ),
    wrongApp: new RepeatedWarning(
      o.log,
      'WeChat Service Account message for another account refused: the AppID inside is not WECHAT_MP_APP_ID',
    ),
    noKey: new RepeatedWarning(
      o.log,
      'WeChat Service Account sent an encrypted message but WECHAT_MP_AES_KEY is not set: set it, or choose plain mode on the platform',
    ),
    malformed: new RepeatedWarning(o.log, 'WeChat Service Account callback refused: not a message'),
  };

  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://callback.local');
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const { status, body } = o.health();
        return reply(res, status, body);
      }
      if (url.pathname !== o.path) return reply(res, 404, 'not found');
      const query = Object.fromEntries(url.searchParams);
      if (!signatureOk(o.token, query)) {
        refused.signature.note({ method: req.method });
        return reply(res, 401, 'unauthorized');
      }
      if (req.method === 'GET') return reply(res, 200, query.echostr ?? '');
      if (req.method !== 'POST') return reply(res, 405, 'method not allowed');
      const body = await readBody(req, o.maxBodyBytes ?? 256 * 1024);
      if (body === undefined) return reply(res, 413, 'too large');
      const envelope = readEnvelope(body);
      if (!envelope) {
        refused.malformed.note();
        return reply(res, 400, 'not xml');
      }
      let fields = envelope.fields;
      if (envelope.encrypted !== undefined || query.encrypt_type === 'aes') {
        const encrypted = envelope.encrypted ?? '';
        if (!o.aesKey) {
          refused.noKey.note();
          return reply(res, 400, 'encrypted');
        }
        if (!messageSignatureOk(o.token, query, encrypted)) {
          refused.signature.note({ method: 'POST', part: 'msg_signature' });
          return reply(res, 401, 'unauthorized');
        }
        const opened = openMessage(o.aesKey, o.appId, encrypted);
        if (opened.status === 'garbage') {
          refused.garbage.note();
          return reply(res, 400, 'cannot decrypt');
        }
        if (opened.status === 'wrong_app') {
          refused.wrongApp.note({ appId: opened.appId });
          return reply(res, 400, 'wrong account');
        }
        const inner = readXml(opened.xml);
        if (!inner) {
          refused.malformed.note();
          return reply(res, 400, 'not xml');
        }
        fields = inner;
      }
      const message = toMessage(fields);
      if (!message) {
        refused.malformed.note();
        return reply(res, 400, 'not a message');
      }
      reply(res, 200, ACK);
      o.accept(message);
    } catch (error) {
      o.log.error({ err: error }, 'WeChat Service Account callback failed');
      if (!res.headersSent) reply(res, 500, 'error');
      else res.destroy();
    }
  };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The request body as text, or undefined when it is larger than `limit`. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
