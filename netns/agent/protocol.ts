// The stdio protocol between a host agent and its controller: one JSON object per line.
// Controller -> agent: { id, op, ...args }. Agent -> controller: { id, ok: true, result } or
// { id, ok: false, error }, plus unsolicited { event, ... }. Bytes travel as hex strings.

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface ServerArgs {
  port: number;
  /** Address to bind; default '::' (IPv4 and IPv6) unless family says otherwise. */
  address?: string;
  family?: 4 | 6;
}

export interface ServerResult {
  /** Handle for stop-server, e.g. 'tcp:[::]:8080'. */
  serverId: string;
  port: number;
  address: string;
}

export interface TcpClientArgs {
  addr: string;
  port: number;
  /** Connections to open; default 1. */
  count?: number;
  /** How many run at once; default 1 (sequential). */
  concurrency?: number;
  /** Per-connection timeout; default 3000 ms. */
  timeoutMs?: number;
  /** Request line sent on each connection; default 'hello <index>'. */
  message?: string;
  /** Source address to bind. */
  localAddress?: string;
}

export interface UdpClientArgs {
  addr: string;
  port: number;
  count?: number;
  concurrency?: number;
  timeoutMs?: number;
  message?: string;
  localAddress?: string;
  /** Send every datagram from one socket (one flow) instead of a fresh socket each. */
  sameSocket?: boolean;
}

export interface BulkClientArgs {
  addr: string;
  port: number;
  /** Bytes to upload on one connection. */
  bytes: number;
  /** Whole transfer; default 30000 ms. */
  timeoutMs?: number;
}

export interface BulkReport {
  /** Bytes written by the client. */
  sent: number;
  /** Bytes the server says it received, or null without an answer. */
  received: number | null;
  answeredBy: string | null;
  /** From connect to the server's answer. */
  durationNs: number;
  error: string | null;
}

export interface ExchangeResult {
  index: number;
  /** The name the server answered with, or null when nothing came back. */
  answeredBy: string | null;
  /** From the start of connect/send to the answer, in ns; null without an answer. */
  latencyNs: number | null;
  /** The local port used. */
  localPort: number | null;
  error: string | null;
  timedOut: boolean;
}

export interface ClientReport {
  results: ExchangeResult[];
  /** answeredBy -> count. */
  answers: Record<string, number>;
  errors: number;
  timeouts: number;
}

export interface RawSendArgs {
  /** Whole IP packets (header included), hex. The destination is read from each header. */
  packets: string[];
}

export interface L2SendArgs {
  ifname: string;
  /** Whole Ethernet frames, hex. */
  frames: string[];
}

export interface SendResult {
  sent: number;
}

export interface CaptureStartArgs {
  ifname: string;
  /** tcpdump filter expression; default none. */
  filter?: string;
  /** pcap path; default <scratch dir>/capture-<pid>-<n>.pcap (the topology's scratch
   *  directory, removed with it). */
  file?: string;
  /** Snap length; default 65535. */
  snaplen?: number;
}

export interface CaptureStartResult {
  captureId: string;
  file: string;
}

export interface CapturedFrame {
  /** Capture time in microseconds since the epoch. */
  timestampUs: number;
  /** Bytes on the wire (may be more than data when truncated by snaplen). */
  wireLength: number;
  data: string;
}

export interface CaptureStopResult {
  file: string;
  linkType: number;
  frames: CapturedFrame[];
}

export interface SctpServerArgs {
  port: number;
  address?: string;
}

export interface SctpClientArgs {
  addr: string;
  port: number;
  /** DATA messages to send after the association is up (each answered by the server's
   *  name); default 1. */
  messages?: number;
  /** 'shutdown' (default), 'abort' or 'keep' once the messages are exchanged. */
  finish?: 'shutdown' | 'abort' | 'keep';
  timeoutMs?: number;
  localPort?: number;
}

export interface Request {
  id: number;
  op: string;
  [arg: string]: unknown;
}

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface AgentEvent {
  event: string;
  [field: string]: unknown;
}
