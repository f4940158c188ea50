import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * How far past BODY_LIMIT_BYTES the body of a refused request is read, and
 * for how long at most, before it is answered: reading costs a little
 * bandwidth, no memory (the bytes are dropped), and gets the sender its answer.
 */
const DISCARD_MARGIN_BYTES = 16 * 1024 * 1024;
const DISCARD_TIMEOUT_MS = 10_000;

const closeAfterAnswer = (reply: FastifyReply): void => void reply.header('connection', 'close');

/**
 * Answers a request only once its body has arrived. An answer given before
 * (413 from the Content-Length, 415, 404: the body was never read) is
 * followed by the close of the connection with the sender's bytes still
 * unread, and the TCP reset that causes often reaches the client first: it
 * sees EPIPE or ECONNRESET, never the answer. So the rest of the body is read
 * and dropped, up to BODY_LIMIT_BYTES + 16 MiB and 10 s; a body declared
 * larger is not read at all, and one that runs past either bound is cut off:
 * the answer goes out and the connection closes, for a client sending
 * gigabytes must not keep the server reading.
 */
export function useUnreadBodyDiscard(app: NestFastifyApplication, bodyLimit: number): void {
  const discardLimit = bodyLimit + DISCARD_MARGIN_BYTES;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      if (request.raw.complete) return done(null, payload);
      discardBody(request, reply, discardLimit, () => done(null, payload));
    });
}

/** Reads and drops the rest of `request`'s body (see above), then calls `answer` once. Exported for its spec. */
export function discardBody(request: FastifyRequest, reply: FastifyReply, limit: number, answer: () => void): void {
  const body = request.raw;
  // A stream already destroyed (the client went away, or it errored) emits nothing more: waiting for its
  // end would hold the answer for the whole time bound.
  if (body.destroyed || Number(request.headers['content-length']) > limit) {
    closeAfterAnswer(reply);
    return answer();
  }
  let received = 0;
  const finish = () => {
    clearTimeout(timeout);
    body.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
    answer();
  };
  const cutOff = () => {
    body.pause();
    closeAfterAnswer(reply);
    finish();
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) cutOff();
  };
  const timeout = setTimeout(cutOff, DISCARD_TIMEOUT_MS);
  body.on('data', onData).once('end', finish).once('error', finish).once('close', finish);
  body.resume();
}
