// The stateless parts of an SCTP endpoint: answering INIT with a signed cookie, turning a
// valid COOKIE-ECHO into an association, and answering out-of-the-blue packets (RFC 9260 8.4).
import type { SctpChunk } from '../../../src/packet/index.js';
import { Association, type AssocConfig, type OutPacket } from './association.js';
import { makeCookie, openCookie } from './cookie.js';

export interface InPacket {
  sport: number;
  dport: number;
  vtag: number;
  chunks: SctpChunk[];
}

export interface ListenerContext {
  port: number;
  config: AssocConfig;
  secret: Buffer;
  cookieLifetimeMs: number;
  /** A random 32-bit value (tags and TSNs). */
  random32: () => number;
}

function nonZero(random32: () => number): number {
  for (;;) {
    const v = random32() >>> 0;
    if (v !== 0) return v;
  }
}

/** INIT-ACK for a valid INIT (alone in its packet, vtag 0, non-zero initiate tag); else undefined (drop). */
export function answerInit(p: InPacket, l: ListenerContext, now: number): OutPacket | undefined {
  const init = p.chunks[0];
  if (p.chunks.length !== 1 || !init || init.type !== 'init' || p.vtag !== 0 || init.initiateTag === 0) return undefined;
  const localTag = nonZero(l.random32);
  const localInitialTsn = l.random32() >>> 0;
  const cookie = makeCookie(
    {
      createdAt: now,
      lifetimeMs: l.cookieLifetimeMs,
      localTag,
      peerTag: init.initiateTag,
      localInitialTsn,
      peerInitialTsn: init.initialTsn,
      peerArwnd: init.arwnd ?? 0,
      localPort: p.dport,
      peerPort: p.sport,
      outStreams: Math.min(l.config.outStreams, init.inStreams ?? l.config.outStreams),
      inStreams: Math.min(l.config.inStreams, init.outStreams ?? l.config.inStreams),
    },
    l.secret,
  );
  return {
    vtag: init.initiateTag,
    chunks: [
      {
        type: 'init-ack',
        initiateTag: localTag,
        arwnd: l.config.arwnd,
        outStreams: l.config.outStreams,
        inStreams: l.config.inStreams,
        initialTsn: localInitialTsn,
        params: [{ type: 'cookie', data: cookie }],
      },
    ],
  };
}

export type CookieEchoResult =
  { ok: true; association: Association } | { ok: false; reason: 'not-cookie-echo' | 'length' | 'mac' | 'stale' | 'ports' | 'vtag' };

/** A COOKIE-ECHO with no association yet: verify the cookie and build the association from it. */
export function acceptCookieEcho(p: InPacket, l: ListenerContext, now: number): CookieEchoResult {
  const first = p.chunks[0];
  if (!first || first.type !== 'cookie-echo') return { ok: false, reason: 'not-cookie-echo' };
  const verdict = openCookie(first.cookie, l.secret, now);
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  const c = verdict.contents;
  if (c.localPort !== p.dport || c.peerPort !== p.sport) return { ok: false, reason: 'ports' };
  if (p.vtag !== c.localTag) return { ok: false, reason: 'vtag' };
  const association = Association.fromCookie({
    localPort: c.localPort,
    peerPort: c.peerPort,
    localTag: c.localTag,
    localInitialTsn: c.localInitialTsn,
    peerTag: c.peerTag,
    peerInitialTsn: c.peerInitialTsn,
    config: { ...l.config, outStreams: c.outStreams, inStreams: c.inStreams },
  });
  return { ok: true, association };
}

/** The answer to a packet that matches no association (RFC 9260 8.4), or undefined for silence. */
export function answerOutOfTheBlue(p: InPacket): OutPacket | undefined {
  const first = p.chunks[0];
  if (!first) return undefined;
  switch (first.type) {
    case 'abort':
    case 'shutdown-complete':
    case 'cookie-ack':
    case 'error':
      return undefined;
    case 'shutdown-ack':
      return { vtag: p.vtag, chunks: [{ type: 'shutdown-complete', tBit: true }] };
    case 'init':
      // Nobody listens: ABORT carrying the INIT's own tag, T bit clear.
      return { vtag: first.initiateTag, chunks: [{ type: 'abort' }] };
    default:
      return { vtag: p.vtag, chunks: [{ type: 'abort', tBit: true }] };
  }
}
