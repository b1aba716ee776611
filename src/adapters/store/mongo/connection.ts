/**
 * What the MongoDB store says about its server before it is a store: connection strings shown without
 * their secrets, the database a string names, and the start-up errors (unreachable, standalone) as
 * one clear `StoreError` each. Pure: nothing here imports mongoose, so the CLI and `main.ts` can use it
 * without loading the driver.
 */
import { StoreError } from '../../../core/ports.js';

/** The database used when the connection string names none. */
export const DEFAULT_DATABASE = 'residesk';

/** Query options that are safe to show; every other option's value is masked. */
const SHOWN_OPTIONS = new Set([
  'replicaset',
  'authsource',
  'authmechanism',
  'tls',
  'ssl',
  'directconnection',
  'retrywrites',
  'w',
  'readpreference',
  'appname',
  'loadbalanced',
]);

interface ParsedUri {
  scheme: string;
  user?: string;
  /** As written (percent-encoded); never shown. */
  password?: string;
  /** `host:port` entries as written (an SRV string has one name). */
  hosts: string[];
  database?: string;
  /** Options in order, undecoded. */
  options: { name: string; value: string }[];
}

function parse(uri: string): ParsedUri | undefined {
  const match = /^(mongodb(?:\+srv)?:\/\/)(.*)$/is.exec(uri.trim());
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  // A valid string percent-encodes `@ : / ? #` in its credentials; split where the driver would, and refuse
  // to guess (see redactUri) when what follows still looks like part of a password.
  const queryAt = rest.search(/[?#]/);
  const head = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  if (query.includes('@')) return undefined;
  const at = head.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : head.slice(0, at);
  const location = at < 0 ? head : head.slice(at + 1);
  const slash = location.indexOf('/');
  const hostList = slash < 0 ? location : location.slice(0, slash);
  const path = slash < 0 ? '' : location.slice(slash + 1);
  if (hostList === '' || /[\s@]/.test(hostList)) return undefined;
  const parsed: ParsedUri = {
    scheme,
    hosts: hostList.split(','),
    options: query
      .split('&')
      .filter((pair) => pair !== '')
      .map((pair) => {
        const eq = pair.indexOf('=');
        return eq < 0 ? { name: pair, value: '' } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
      }),
  };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    parsed.user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) parsed.password = userinfo.slice(colon + 1);
  }
  if (path !== '') parsed.database = safeDecode(path);
  return parsed;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The connection string with its password (and the value of every option that might hold a secret)
 * replaced by `***`, for messages and logs. A string it cannot take apart safely comes back as
 * `mongodb://***`, never as it was.
 */
export function redactUri(uri: string): string {
  const parsed = parse(uri);
  if (!parsed) return /^mongodb\+srv:/i.test(uri.trim()) ? 'mongodb+srv://***' : 'mongodb://***';
  const credentials = parsed.user === undefined ? '' : `${parsed.user}${parsed.password === undefined ? '' : ':***'}@`;
  const database = parsed.database === undefined ? '' : encodeURIComponent(parsed.database);
  const options = parsed.options.map(({ name, value }) =>
    SHOWN_OPTIONS.has(name.toLowerCase()) ? `${name}=${value}` : `${name}=***`,
  );
  const query = options.length > 0 ? `?${options.join('&')}` : '';
  const path = database !== '' || query !== '' ? `/${database}` : '';
  return `${parsed.scheme}${credentials}${parsed.hosts.join(',')}${path}${query}`;
}

/** The hosts a connection string names, as `a:27017, b:27017`: what error messages show. */
export function describeHosts(uri: string): string {
  const parsed = parse(uri);
  if (!parsed) return 'the server in MONGODB_URI';
  return parsed.hosts.join(', ');
}

/** The database a connection string names, or `residesk` when it names none. */
export function databaseName(uri: string): string {
  return parse(uri)?.database ?? DEFAULT_DATABASE;
}

/** The connection string naming `database` instead of the one it names (used by tests and tools). */
export function withDatabase(uri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^/?#]*)(\/[^?#]*)?(.*)$/is.exec(uri.trim());
  if (!match) throw new Error('not a MongoDB connection string');
  return `${match[1]}${match[2]}/${encodeURIComponent(database)}${match[4] ?? ''}`;
}

/** The fields of a `hello` (or legacy `isMaster`) reply that tell what kind of deployment this is. */
export interface HelloReply {
  setName?: string;
  /** `isdbgrid` on a mongos router (a sharded cluster). */
  msg?: string;
  isWritablePrimary?: boolean;
  ismaster?: boolean;
  maxWireVersion?: number;
}

/**
 * Undefined when the deployment runs multi-document transactions (a replica set member or a mongos
 * router); otherwise the start-up error that says why a standalone server cannot be used.
 */
export function replicaSetProblem(hello: HelloReply, where: string): StoreError | undefined {
  if (typeof hello.setName === 'string' && hello.setName !== '') return undefined;
  if (hello.msg === 'isdbgrid') return undefined;
  return new StoreError(
    'STORE_UNAVAILABLE',
    `MongoDB at ${where} is a standalone server, but residesk needs a replica set: every inbound message, ` +
      'job run and outbox change is written in one transaction, and MongoDB runs transactions only on a ' +
      'replica set (or a sharded cluster). For development, start mongod with --replSet rs0 and run ' +
      'rs.initiate() once (a single-node replica set); see "Running with MongoDB" in the README.',
  );
}

interface TopologyLike {
  type?: unknown;
  servers?: { values(): Iterable<{ type?: unknown; error?: unknown }> };
}

/**
 * The start-up error for a server that could not be used at all: unreachable within the server
 * selection timeout, refusing the credentials, or a connection string the driver rejects. The message
 * names the host(s) and never the password.
 */
export function unreachableError(error: unknown, uri: string, serverSelectionTimeoutMs: number): StoreError {
  const hosts = describeHosts(uri);
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: unknown } | null)?.code;
  const raw = error instanceof Error ? error.message : String(error);
  const reason = scrub(raw, uri);
  const unparseable = name === 'MongoRuntimeError' && /\bparse\b/i.test(raw);
  if (name === 'MongoParseError' || name === 'MongoInvalidArgumentError' || name === 'MongoAPIError' || unparseable) {
    return new StoreError('STORE_UNAVAILABLE', `MONGODB_URI is not usable (${redactUri(uri)}): ${reason}`, {
      cause: error,
    });
  }
  if (code === 18 || /auth(entication)? failed/i.test(raw)) {
    return new StoreError(
      'STORE_UNAVAILABLE',
      `MongoDB at ${hosts} refused the credentials in MONGODB_URI (authentication failed); check the user, ` +
        'the password and authSource',
      { cause: error },
    );
  }
  const hint = topologyHint((error as { reason?: TopologyLike } | null)?.reason);
  return new StoreError(
    'STORE_UNAVAILABLE',
    `cannot reach MongoDB at ${hosts} within ${serverSelectionTimeoutMs} ms (${redactUri(uri)}): ${reason}. ` +
      `${hint}Check MONGODB_URI, that the server is running and that this machine may connect to it ` +
      '(MONGODB_SERVER_SELECTION_TIMEOUT sets how long to wait).',
    { cause: error },
  );
}

function topologyHint(topology: TopologyLike | undefined): string {
  if (!topology?.servers) return '';
  const types = [...topology.servers.values()].map((server) => server.type);
  if (types.includes('RSGhost')) {
    return 'The server is started as a replica set member but the set has no configuration yet: run rs.initiate() once. ';
  }
  if (topology.type === 'ReplicaSetNoPrimary' && types.some((t) => t === 'RSSecondary' || t === 'RSOther')) {
    return 'The replica set answers but has no primary (an election, or most members are down). ';
  }
  return '';
}

/** Removes the password and the whole connection string from a driver message, should it hold them. */
function scrub(message: string, uri: string): string {
  let text = message.split(uri.trim()).join(redactUri(uri));
  const password = parse(uri)?.password;
  if (password) {
    text = text.split(password).join('***');
    const decoded = safeDecode(password);
    if (decoded !== password) text = text.split(decoded).join('***');
  }
  return text;
}

/** Every collection of the store, in the order a migration copies them (shared by the store's counts and the CLI). */
export const STORE_COLLECTIONS = [
  'owners',
  'staff',
  'threads',
  'messages',
  'tickets',
  'jobs',
  'outbox',
  'messageRefs',
  'settings',
  'inbound',
  'counters',
  'surveyCampaigns',
  'surveyInvitations',
  'surveyResponses',
  'surveyOptOuts',
  'praise',
  'enquiries',
  'knowledgeEntries',
  'notices',
  'noticeDeliveries',
] as const;

/** Each collection's name: its MongoDB collection and its SQLite table (the same name in both stores). */
export const COLLECTION_NAMES = {
  owners: 'owners',
  staff: 'staff',
  threads: 'threads',
  messages: 'message_log',
  tickets: 'tickets',
  jobs: 'jobs',
  outbox: 'outbox',
  messageRefs: 'message_refs',
  settings: 'settings',
  inbound: 'inbound_seen',
  counters: 'counters',
  surveyCampaigns: 'survey_campaigns',
  surveyInvitations: 'survey_invitations',
  surveyResponses: 'survey_responses',
  surveyOptOuts: 'survey_opt_outs',
  praise: 'praise',
  enquiries: 'enquiries',
  knowledgeEntries: 'knowledge_entries',
  notices: 'notices',
  noticeDeliveries: 'notice_deliveries',
} as const satisfies Record<(typeof STORE_COLLECTIONS)[number], string>;
