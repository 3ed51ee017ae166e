import type { Socket } from "node:net";

/**
 * LDAP messages handed to ldapts whole. Its parser appends every chunk the socket reads to the
 * message it has begun (a copy of all of it each time): for an entry larger than a chunk that is
 * quadratic — the scope group of 50,000 members (2.5 MB) arrives in some 40 chunks and cost
 * 50 MB of copies, 30 MB of it alive at once. Here the chunks of an unfinished message wait in a
 * list and are joined once, when the message is complete; chunks of small messages pass as read.
 */

/** The size of the BER element (an LDAPMessage) starting at `at`; undefined while its header is incomplete. */
const elementSize = (data: Buffer, at: number): number | undefined => {
  const first = data[at + 1];
  if (first === undefined) return undefined;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  // Indefinite or absurd lengths are not LDAP's: let the parser see them and fail.
  if (octets === 0 || octets > 4) return Number.POSITIVE_INFINITY;
  if (data.length < at + 2 + octets) return undefined;
  return 2 + octets + data.readUIntBE(at + 2, octets);
};

/** A data handler that calls `deliver` with whole messages only, each chunk copied at most once. */
export const wholeMessages = (deliver: (data: Buffer) => void): ((chunk: Buffer) => void) => {
  let waiting: Buffer[] = [];
  let waitingBytes = 0;
  /** Bytes the first waiting message needs (0: its header is incomplete). */
  let needed = 0;
  return (chunk) => {
    waiting.push(chunk);
    waitingBytes += chunk.length;
    if (waitingBytes < needed) return;
    const data = waiting.length === 1 ? chunk : Buffer.concat(waiting, waitingBytes);
    let end = 0;
    let size = elementSize(data, end);
    while (size !== undefined && size !== Number.POSITIVE_INFINITY && end + size <= data.length) {
      end += size;
      size = elementSize(data, end);
    }
    if (size === Number.POSITIVE_INFINITY) end = data.length;
    if (end > 0) deliver(end === data.length ? data : data.subarray(0, end));
    const rest = data.subarray(end);
    waiting = rest.length > 0 ? [rest] : [];
    waitingBytes = rest.length;
    needed = size === undefined || size === Number.POSITIVE_INFINITY ? 0 : size;
  };
};

/** The socket ldapts reads from, its "data" events made whole messages (see wholeMessages). */
export const framed = <S extends Socket>(socket: S): S => {
  const emit = socket.emit.bind(socket);
  const frame = wholeMessages((data) => emit("data", data));
  socket.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    const [chunk] = args;
    if (event !== "data" || !Buffer.isBuffer(chunk)) return emit(event, ...args);
    frame(chunk);
    return true;
  };
  return socket;
};
