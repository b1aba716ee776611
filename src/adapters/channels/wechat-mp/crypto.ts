/**
 * The Service Account callback's signatures and its AES safe mode (安全模式), through WeChat's maintained
 * `@wecom/crypto`: the algorithm is the same for 公众号 and WeCom (SHA1 over the sorted token, timestamp,
 * nonce and ciphertext; AES-256-CBC with the key from EncodingAESKey, PKCS#7 to 32 bytes, the plain text
 * framed by 16 random bytes, its length and the AppID). The package returns the AppID inside and leaves
 * checking it to the caller, and a wrong EncodingAESKey gives garbage rather than an error: both are
 * checked here. Pure; nothing is logged.
 */
import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';

/** The query WeChat signs every callback with (`signature`); `msg_signature` signs the ciphertext as well. */
export interface SignedQuery {
  signature?: string | undefined;
  timestamp?: string | undefined;
  nonce?: string | undefined;
}

function sameHex(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase()), Buffer.from(expected));
}

/**
 * Whether `signature` is SHA1 of the sorted token, timestamp and nonce: the check of the URL (GET with
 * echostr) and of every message, plain or encrypted. (An empty fourth part adds nothing to the sorted join.)
 */
export function signatureOk(token: string, query: SignedQuery): boolean {
  if (!query.timestamp || !query.nonce) return false;
  return sameHex(query.signature, getSignature(token, query.timestamp, query.nonce, ''));
}

/** Whether `msg_signature` is SHA1 of the sorted token, timestamp, nonce and the Encrypt field. */
export function messageSignatureOk(
  token: string,
  query: Omit<SignedQuery, 'signature'> & { msg_signature?: string | undefined },
  encrypted: string,
): boolean {
  if (!query.timestamp || !query.nonce) return false;
  return sameHex(query.msg_signature, getSignature(token, query.timestamp, query.nonce, encrypted));
}

/** What an encrypted message turned out to be. */
export type Opened =
  | { status: 'ok'; xml: string }
  /** Decrypted cleanly, but for another account: the AppID inside is not ours. */
  | { status: 'wrong_app'; appId: string }
  /** Not a message: the EncodingAESKey does not match the platform's (or the body was tampered with). */
  | { status: 'garbage' };

/** What a real AppID looks like (`wx` and 16 hex digits); anything else inside is garbage. */
const APP_ID = /^wx[0-9a-f]{16}$/i;

/**
 * Decrypts the Encrypt field and checks what came out: a well-formed XML document, no broken UTF-8, and
 * our AppID after it. A wrong key decrypts without error into random bytes, so the checks, not the
 * library, tell a wrong key (`garbage`) from a message for another account (`wrong_app`).
 */
export function openMessage(encodingAesKey: string, appId: string, encrypted: string): Opened {
  let opened: { message: string; id: string };
  try {
    opened = decrypt(encodingAesKey, encrypted);
  } catch {
    // Too short for its own length field, or not base64 at all.
    return { status: 'garbage' };
  }
  const xml = opened.message.trim();
  const wellFormed = xml.startsWith('<xml>') && xml.endsWith('</xml>') && !xml.includes('\uFFFD');
  if (!wellFormed || !APP_ID.test(opened.id)) return { status: 'garbage' };
  if (opened.id !== appId) return { status: 'wrong_app', appId: opened.id };
  return { status: 'ok', xml };
}
