// The state cookie: everything the server needs to create the association on COOKIE-ECHO,
// signed with an HMAC so the server keeps no state between INIT and COOKIE-ECHO.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CookieContents {
  createdAt: number;
  lifetimeMs: number;
  localTag: number;
  peerTag: number;
  localInitialTsn: number;
  peerInitialTsn: number;
  peerArwnd: number;
  localPort: number;
  peerPort: number;
  outStreams: number;
  inStreams: number;
}

const BODY_LENGTH = 8 + 4 * 6 + 2 * 4;
const MAC_LENGTH = 32;
export const COOKIE_LENGTH = BODY_LENGTH + MAC_LENGTH;

function mac(secret: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function makeCookie(c: CookieContents, secret: Buffer): Buffer {
  const body = Buffer.alloc(BODY_LENGTH);
  body.writeBigUInt64BE(BigInt(Math.floor(c.createdAt)), 0);
  [c.lifetimeMs, c.localTag, c.peerTag, c.localInitialTsn, c.peerInitialTsn, c.peerArwnd].forEach((v, i) =>
    body.writeUInt32BE(v >>> 0, 8 + i * 4),
  );
  [c.localPort, c.peerPort, c.outStreams, c.inStreams].forEach((v, i) => body.writeUInt16BE(v, 32 + i * 2));
  return Buffer.concat([body, mac(secret, body)]);
}

export type CookieVerdict = { ok: true; contents: CookieContents } | { ok: false; reason: 'length' | 'mac' | 'stale' };

/** Checks the MAC first, then the age; the contents are trusted only after both. */
export function openCookie(cookie: Buffer, secret: Buffer, now: number): CookieVerdict {
  if (cookie.length !== COOKIE_LENGTH) return { ok: false, reason: 'length' };
  const body = cookie.subarray(0, BODY_LENGTH);
  if (!timingSafeEqual(mac(secret, body), cookie.subarray(BODY_LENGTH))) return { ok: false, reason: 'mac' };
  const u32 = (i: number): number => body.readUInt32BE(8 + i * 4);
  const u16 = (i: number): number => body.readUInt16BE(32 + i * 2);
  const contents: CookieContents = {
    createdAt: Number(body.readBigUInt64BE(0)),
    lifetimeMs: u32(0),
    localTag: u32(1),
    peerTag: u32(2),
    localInitialTsn: u32(3),
    peerInitialTsn: u32(4),
    peerArwnd: u32(5),
    localPort: u16(0),
    peerPort: u16(1),
    outStreams: u16(2),
    inStreams: u16(3),
  };
  if (now - contents.createdAt > contents.lifetimeMs || now < contents.createdAt) return { ok: false, reason: 'stale' };
  return { ok: true, contents };
}
