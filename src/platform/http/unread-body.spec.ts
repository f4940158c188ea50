import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { discardBody } from './unread-body';

/** A request whose body has not all arrived, as Node hands it to Fastify. */
function unfinishedRequest(): { request: FastifyRequest; raw: IncomingMessage } {
  const raw = new IncomingMessage(new Socket());
  raw.headers = { 'content-length': '1000' };
  return { raw, request: { raw, headers: raw.headers } as unknown as FastifyRequest };
}

function recordingReply(): { reply: FastifyReply; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const reply = {
    header: (name: string, value: string) => {
      headers[name] = value;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, headers };
}

describe('discardBody', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('answers once the rest of the body has been read and dropped', () => {
    const { request, raw } = unfinishedRequest();
    const answer = jest.fn();
    discardBody(request, recordingReply().reply, 10_000, answer);
    raw.push(Buffer.alloc(1000));
    raw.push(null);
    jest.advanceTimersByTime(0);
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => expect(answer).toHaveBeenCalledTimes(1));
  });

  it.each([
    ['destroyed', (raw: IncomingMessage) => raw.destroy()],
    ['errored', (raw: IncomingMessage) => raw.destroy(new Error('connection reset'))],
  ])('answers at once, closing the connection, a request whose body stream is already %s', async (_state, end) => {
    const { request, raw } = unfinishedRequest();
    raw.on('error', () => undefined);
    end(raw);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const answer = jest.fn();
    const { reply, headers } = recordingReply();

    expect(() => discardBody(request, reply, 10_000, answer)).not.toThrow();

    expect(answer).toHaveBeenCalledTimes(1);
    expect(headers).toEqual({ connection: 'close' });
    // Nothing left waiting: no later call when the discard's time bound passes.
    jest.advanceTimersByTime(60_000);
    expect(answer).toHaveBeenCalledTimes(1);
  });
});
