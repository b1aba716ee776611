/**
 * The ids the app gives what it records (outbox items, tickets, jobs, audit events): UUIDv7 (RFC 9562), time
 * first so that a table's id index grows at its end, and 74 random bits (see AppOptions.newId). One helper for
 * every caller, so that they share one pool of random bytes and one sequence.
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** The random bytes uuid's v7 takes for one id (it reads 10 of them, and refuses fewer than 16). */
const BYTES_PER_ID = 16;

/**
 * Random bytes for this many ids are drawn from the operating system at once. uuid draws 16 bytes through
 * crypto.getRandomValues for every id, whose checks and call into C++ cost more than the bytes: 6.6 µs an
 * id on the development machine, 2.3% of the main thread with 16 owners reporting at once.
 */
const IDS_PER_FILL = 256;

const pool = new Uint8Array(IDS_PER_FILL * BYTES_PER_ID);
/** Where the next id's bytes start; at the end, the pool is filled again (it starts empty). */
let next = pool.length;

/**
 * The time and sequence of the last id. Given options, uuid's v7 keeps no state of its own (its README:
 * "`options` Handling for Timestamp UUIDs"): each id would get a random sequence, and two ids made in the
 * same millisecond would sort at random. So the state it keeps when called without options is kept here,
 * the same way (uuid's updateV7State, which its package does not export): a new millisecond starts at a
 * random sequence (31 bits, leaving room to count up), and each further id in it counts on by one; should
 * the count wrap, the time moves on a millisecond. Ids are strictly increasing within the process.
 */
let lastMsecs = Number.NEGATIVE_INFINITY;
let lastSeq = 0;

/** A new UUIDv7, later than (and sorting after) every one this process made before it. */
export function newId(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  // v7 only reads these bytes (into an id of its own), so the slice may be overwritten at the next fill.
  const random = pool.subarray(next, next + BYTES_PER_ID);
  next += BYTES_PER_ID;
  const now = Date.now();
  if (now > lastMsecs) {
    lastSeq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    lastMsecs = now;
  } else {
    lastSeq = (lastSeq + 1) | 0;
    if (lastSeq === 0) lastMsecs++;
  }
  return v7({ random, msecs: lastMsecs, seq: lastSeq });
}
