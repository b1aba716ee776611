/**
 * Loading the optional libraries a personal account needs (wechaty and file-box, which `npm ci` does not
 * install) and the start-up error: a missing library or puppet, or a bot that cannot start, is a
 * {@link WechatStartupError} whose message is one line that names what to fix and holds no secret.
 */
import { clean } from './outbound.js';
import type { FileBoxModule, WechatyModule } from './wechaty-types.js';

/** A start-up failure, as one line that names what to fix and holds no secret. */
export class WechatStartupError extends Error {
  constructor(
    readonly code: 'WECHAT_LIBRARY_MISSING' | 'WECHAT_PUPPET_MISSING' | 'WECHAT_START_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WechatStartupError';
  }
}

/** wechaty's own logger (brolog, to stderr) is kept quiet unless residesk itself logs at debug or trace. */
export function libraryLogLevel(level: string): 'silent' | 'info' | 'verbose' {
  if (level === 'trace') return 'verbose';
  if (level === 'debug') return 'info';
  return 'silent';
}

/**
 * The optional packages a personal account needs, as README's "WeChat personal account" installs them: `npm ci`
 * does not (they are optional peer dependencies in package.json).
 */
export const WECHATY_INSTALL = 'npm install --no-save wechaty@1 file-box@1';

/** Whether `error` is the import of `name` failing because the package is not installed. */
function isNotInstalled(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND' && !/Cannot find|Failed to load/.test(message))
    return false;
  return message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`url ${name} `);
}

/** Loads wechaty and file-box; a missing one is a WechatStartupError naming the command that installs them. */
export async function loadLibraries(
  load: (name: string) => Promise<unknown>,
  secrets?: readonly string[],
): Promise<{ wechaty: WechatyModule; fileBox: FileBoxModule }> {
  try {
    const [wechaty, fileBox] = await Promise.all([load('wechaty'), load('file-box')]);
    return { wechaty: wechaty as WechatyModule, fileBox: fileBox as FileBoxModule };
  } catch (error) {
    if (isNotInstalled(error, 'wechaty') || isNotInstalled(error, 'file-box')) {
      throw new WechatStartupError(
        'WECHAT_LIBRARY_MISSING',
        `WeChat personal account needs the optional package: ${WECHATY_INSTALL} (unofficial, the account may be banned; see README, "WeChat personal account")`,
        { cause: error },
      );
    }
    throw new WechatStartupError(
      'WECHAT_LIBRARY_MISSING',
      `wechaty could not be loaded (${clean(error instanceof Error ? error.message : String(error), secrets)}); install it again: ${WECHATY_INSTALL}`,
      { cause: error },
    );
  }
}
