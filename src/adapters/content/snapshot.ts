/**
 * The content snapshot: what loading flows/, locales/ and the understanding's files produced (parsed,
 * checked, the model's weights read or trained), written once in V8's serialisation so that a start
 * whose files have not changed reads one file instead of parsing YAML, checking schemas and reading the
 * weights (about a second on a 2-core machine, and most of the start-up's garbage).
 *
 * A snapshot is keyed by a fingerprint of the bytes of every content file (and the training files the
 * model's weights depend on) and of the code that wrote it. It is read only when that fingerprint is
 * today's and the payload's own digest matches, so an operator's edit (or a file copied in from
 * elsewhere) is always loaded from the files and checked, with one line per mistake, and a snapshot that
 * was truncated, corrupted or edited is never read.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  type Dirent,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DefaultDeserializer, serialize, deserialize as v8Deserialize } from 'node:v8';

/** Bumped when what a snapshot holds changes shape. */
const SNAPSHOT_FORMAT = 'residesk-content-5';
const HEADER = Buffer.from(`${SNAPSHOT_FORMAT}\n`);
const DIGEST_BYTES = 32;

/** Every file under `path` (itself when it is a file), in a stable order; a missing path holds none. */
function filesUnder(path: string): string[] {
  let entries: Dirent[];
  try {
    if (!statSync(path).isDirectory()) return [path];
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .map((e) => e.name)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** The files a training file includes (`include`, relative to it); none when it cannot be read. */
function trainingIncludes(trainingFile: string): string[] {
  try {
    const include = (JSON.parse(readFileSync(trainingFile, 'utf8')) as { include?: unknown }).include;
    return Array.isArray(include)
      ? include.filter((p): p is string => typeof p === 'string').map((p) => resolve(dirname(trainingFile), p))
      : [];
  } catch {
    return [];
  }
}

/** Files above this size are fingerprinted by their size, time and ends, not read whole (see {@link contentFingerprint}). */
const LARGE_FILE_BYTES = 1 << 20;
const END_BYTES = 64 << 10;

/**
 * What stands for a large file in the fingerprint: its size, its modification time and its first and last
 * 64 KiB. The one such file is the classifier's weights (flows/understand/model.json, 5.8 MB, written by
 * `npm run train`, its inputs' hash in its first line): reading and hashing it whole was 30 ms of every
 * start. An edit changes its time (and, all but always, its size); a copy keeps the time only when asked
 * to, and then it is the same file.
 */
function largeFileKey(file: string, size: number, mtimeMs: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(END_BYTES);
    const tail = Buffer.alloc(END_BYTES);
    const headBytes = readSync(fd, head, 0, END_BYTES, 0);
    const tailBytes = readSync(fd, tail, 0, END_BYTES, Math.max(0, size - END_BYTES));
    return Buffer.concat([
      Buffer.from(`large\0${size}\0${mtimeMs}\0`),
      head.subarray(0, headBytes),
      tail.subarray(0, tailBytes),
    ]);
  } finally {
    closeSync(fd);
  }
}

/**
 * A fingerprint of the content: each file's path (relative to `root`) and bytes (a large file's size,
 * time and ends: {@link largeFileKey}), under every one of `paths` and the training files `trainingFile`
 * includes, and `codeId` (the code that loads them).
 */
export function contentFingerprint(o: {
  root: string;
  paths: readonly string[];
  trainingFile: string;
  codeId: string;
}): string {
  const hash = createHash('sha256').update(`${SNAPSHOT_FORMAT}\0${o.codeId}\0`);
  const files = [...new Set([...o.paths.flatMap(filesUnder), ...trainingIncludes(o.trainingFile)])];
  for (const file of files) {
    let bytes: Buffer;
    try {
      const stat = statSync(file);
      bytes = stat.size > LARGE_FILE_BYTES ? largeFileKey(file, stat.size, stat.mtimeMs) : readFileSync(file);
    } catch {
      continue; // a missing include is skipped by the loader too; its absence changes the list
    }
    hash.update(`${relative(o.root, file)}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** Node's reader of a typed array or Buffer (V8 calls it for each; undocumented in the types, so looked up). */
const readHostObject = (DefaultDeserializer.prototype as unknown as { _readHostObject?: (this: unknown) => unknown })
  ._readHostObject;

/**
 * V8's deserialiser, but every typed array (the model's weights) in a buffer of its own: Node's makes an
 * aligned typed array a view into the buffer it reads from, which kept the whole snapshot file (7 MB) in
 * memory for as long as the model, beside the copies it makes of the unaligned ones.
 */
class OwnBuffersDeserializer extends DefaultDeserializer {
  _readHostObject(): unknown {
    const view = readHostObject?.call(this);
    if (!ArrayBuffer.isView(view)) return view;
    const own = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
    if (Buffer.isBuffer(view)) return Buffer.from(own);
    if (view instanceof DataView) return new DataView(own);
    return new (view.constructor as new (buffer: ArrayBufferLike) => ArrayBufferView)(own);
  }
}

function deserialize(payload: Buffer): unknown {
  if (!readHostObject) return v8Deserialize(payload);
  const deserializer = new OwnBuffersDeserializer(payload);
  deserializer.readHeader();
  return deserializer.readValue();
}

/**
 * The snapshot's data when `file` holds one written for `fingerprint` whose payload is intact, else
 * undefined (missing, stale, truncated, edited or of another format): load from the files.
 */
export function readSnapshot<T>(file: string, fingerprint: string): T | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const key = Buffer.from(fingerprint, 'hex');
  const start = HEADER.length + key.length + DIGEST_BYTES;
  if (bytes.length <= start || !bytes.subarray(0, HEADER.length).equals(HEADER)) return undefined;
  if (!bytes.subarray(HEADER.length, HEADER.length + key.length).equals(key)) return undefined;
  const payload = bytes.subarray(start);
  const digest = createHash('sha256').update(payload).digest();
  if (!digest.equals(bytes.subarray(HEADER.length + key.length, start))) return undefined;
  try {
    return deserialize(payload) as T;
  } catch {
    return undefined;
  }
}

/**
 * Whether `file` starts as a snapshot written for `fingerprint` does (its header and key only: the payload
 * and its digest are checked when it is read). Cheap: what a start checks of a snapshot it reads later.
 */
export function snapshotMatches(file: string, fingerprint: string): boolean {
  const key = Buffer.from(fingerprint, 'hex');
  const head = Buffer.alloc(HEADER.length + key.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (readSync(fd, head, 0, head.length, 0) !== head.length) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return head.subarray(0, HEADER.length).equals(HEADER) && head.subarray(HEADER.length).equals(key);
}

/**
 * Writes a snapshot of `data` for `fingerprint` (a temporary file renamed into place, so a reader never
 * sees half of one). Throws when it cannot be written; the caller decides whether that matters.
 */
export function writeSnapshot(file: string, fingerprint: string, data: unknown): void {
  const payload = serialize(data);
  const digest = createHash('sha256').update(payload).digest();
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([HEADER, Buffer.from(fingerprint, 'hex'), digest, payload]));
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
