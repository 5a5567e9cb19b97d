// Packet layers as a scenario writes them (src/packet LayerSpecs in YAML): every layer
// type and nested record is closed, so a misspelt field (tll for ttl) is an error rather
// than a silently used default. Byte fields are written { hex: '...' }.
import Type, { type Static, type TProperties, type TSchema } from 'typebox';
import { Bytes, Mac, U16, U32, strict, u8, uint } from './primitives.js';

/** A record whose `tag` field picks its shape: one closed object per tag value. Errors
 *  name the fields of the chosen shape only (if/then), never every alternative. */
function tagged(tag: string, variants: Record<string, TProperties>, options: { description?: string; tagSchema?: TSchema } = {}): TSchema {
  const names = Object.keys(variants);
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    required: [tag],
    properties: { [tag]: options.tagSchema ?? { enum: names } },
    allOf: names.map((name) => ({
      if: { properties: { [tag]: { const: name } }, required: [tag] },
      then: strict({ [tag]: Type.Literal(name), ...variants[name] }),
    })),
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
}

const opt = Type.Optional;
const Ipv4Text = Type.String({ minLength: 1 });
const Ipv6Text = Type.String({ minLength: 1 });

const TcpFlags = strict({
  fin: opt(Type.Boolean()),
  syn: opt(Type.Boolean()),
  rst: opt(Type.Boolean()),
  psh: opt(Type.Boolean()),
  ack: opt(Type.Boolean()),
  urg: opt(Type.Boolean()),
  ece: opt(Type.Boolean()),
  cwr: opt(Type.Boolean()),
  ae: opt(Type.Boolean()),
});

const TcpOption = tagged('kind', {
  eol: {},
  nop: {},
  mss: { value: U16 },
  wscale: { value: u8() },
  sackPerm: {},
  sack: { blocks: Type.Array(strict({ left: U32, right: U32 })) },
  timestamps: { tsval: U32, tsecr: U32 },
  raw: { data: Bytes },
});

const Ipv4Option = Type.Union([strict({ type: u8(), data: opt(Bytes) }), strict({ raw: Bytes })]);

const Ipv6Option = strict({ type: u8(), data: opt(Bytes), length: opt(u8()), raw: opt(Bytes) });

const extensionCommon = { nextHeader: opt(u8()), hdrExtLen: opt(u8()) };
const Ipv6Extension = tagged('type', {
  hopByHop: { ...extensionCommon, options: opt(Type.Array(Ipv6Option)) },
  destOpts: { ...extensionCommon, options: opt(Type.Array(Ipv6Option)) },
  routing: {
    ...extensionCommon,
    routingType: opt(u8()),
    segmentsLeft: opt(u8()),
    reserved: opt(U32),
    addresses: opt(Type.Array(Ipv6Text)),
    data: opt(Bytes),
  },
  fragment: {
    nextHeader: opt(u8()),
    reserved: opt(u8()),
    fragOffset: opt(uint(0, 8191)),
    res2: opt(uint(0, 3)),
    mf: opt(Type.Boolean()),
    id: opt(U32),
  },
});

const SctpParam = tagged('type', {
  ipv4: { addr: Ipv4Text },
  ipv6: { addr: Ipv6Text },
  cookie: { data: Bytes },
  heartbeatInfo: { data: Bytes },
  raw: { code: U16, data: Bytes },
});
const SctpCause = strict({ code: U16, data: opt(Bytes) });
const chunkCommon = { flags: opt(u8()), chunkLength: opt(U16) };
const initFields = {
  ...chunkCommon,
  initiateTag: U32,
  arwnd: opt(U32),
  outStreams: opt(U16),
  inStreams: opt(U16),
  initialTsn: U32,
  params: opt(Type.Array(SctpParam)),
};
const SctpChunk = tagged('type', {
  data: {
    ...chunkCommon,
    tsn: U32,
    streamId: opt(U16),
    streamSeq: opt(U16),
    ppid: opt(U32),
    data: Bytes,
    unordered: opt(Type.Boolean()),
    beginning: opt(Type.Boolean()),
    ending: opt(Type.Boolean()),
  },
  init: initFields,
  'init-ack': initFields,
  sack: {
    ...chunkCommon,
    cumTsnAck: U32,
    arwnd: opt(U32),
    gapBlocks: opt(Type.Array(strict({ start: U16, end: U16 }))),
    dupTsns: opt(Type.Array(U32)),
  },
  heartbeat: { ...chunkCommon, params: opt(Type.Array(SctpParam)) },
  'heartbeat-ack': { ...chunkCommon, params: opt(Type.Array(SctpParam)) },
  abort: { ...chunkCommon, tBit: opt(Type.Boolean()), causes: opt(Type.Array(SctpCause)) },
  shutdown: { ...chunkCommon, cumTsnAck: U32 },
  'shutdown-ack': chunkCommon,
  error: { ...chunkCommon, causes: opt(Type.Array(SctpCause)) },
  'cookie-echo': { ...chunkCommon, cookie: Bytes },
  'cookie-ack': chunkCommon,
  'shutdown-complete': { ...chunkCommon, tBit: opt(Type.Boolean()) },
  unknown: { ...chunkCommon, code: u8(), value: Bytes },
});

const GtpExtension = tagged('type', {
  pduSession: { pduType: uint(0, 15), qfi: uint(0, 63), ppp: opt(Type.Boolean()), rqi: opt(Type.Boolean()), spare: opt(uint(0, 15)) },
  raw: { extType: u8(), content: Bytes },
});

const NdOption = Type.Union([strict({ type: Type.Enum(['sll', 'tll']), mac: Mac }), strict({ type: u8(), data: Bytes })]);

const IcmpType = (names: string[]): TSchema => Type.Union([u8(), Type.Enum(names)]);

const payloadFields = {
  text: opt(Type.String()),
  hex: opt(Type.String({ pattern: '^([0-9a-fA-F]{2})*$' })),
  size: opt(uint(0, 9000)),
  data: opt(Bytes),
};

export const LAYER_FIELDS: Record<string, TProperties> = {
  eth: { dst: opt(Mac), src: opt(Mac), ethertype: opt(U16) },
  vlan: { vid: uint(0, 4095), pcp: opt(uint(0, 7)), dei: opt(Type.Boolean()), ethertype: opt(U16) },
  arp: {
    htype: opt(U16),
    ptype: opt(U16),
    hlen: opt(u8()),
    plen: opt(u8()),
    op: U16,
    sha: Mac,
    spa: Ipv4Text,
    tha: opt(Mac),
    tpa: Ipv4Text,
  },
  ipv4: {
    src: Ipv4Text,
    dst: Ipv4Text,
    version: opt(uint(0, 15)),
    ihl: opt(uint(0, 15)),
    tos: opt(u8()),
    dscp: opt(uint(0, 63)),
    ecn: opt(uint(0, 3)),
    totalLength: opt(U16),
    id: opt(U16),
    flags: opt(strict({ df: opt(Type.Boolean()), mf: opt(Type.Boolean()), reserved: opt(Type.Boolean()) })),
    fragOffset: opt(uint(0, 8191)),
    ttl: opt(u8()),
    protocol: opt(u8()),
    checksum: opt(U16),
    options: opt(Type.Array(Ipv4Option)),
  },
  ipv6: {
    src: Ipv6Text,
    dst: Ipv6Text,
    version: opt(uint(0, 15)),
    trafficClass: opt(u8()),
    flowLabel: opt(uint(0, 0xfffff)),
    payloadLength: opt(U16),
    nextHeader: opt(u8()),
    hopLimit: opt(u8()),
    extensions: opt(Type.Array(Ipv6Extension)),
  },
  tcp: {
    sport: U16,
    dport: U16,
    seq: opt(U32),
    ack: opt(U32),
    dataOffset: opt(uint(0, 15)),
    reserved: opt(uint(0, 7)),
    flags: opt(TcpFlags),
    window: opt(U16),
    checksum: opt(U16),
    urgent: opt(U16),
    options: opt(Type.Array(TcpOption)),
  },
  udp: { sport: opt(U16), dport: opt(U16), udpLength: opt(U16), checksum: opt(U16) },
  sctp: { sport: U16, dport: U16, vtag: opt(U32), checksum: opt(U32), chunks: Type.Array(SctpChunk) },
  icmp: {
    icmpType: IcmpType(['echo-reply', 'dest-unreachable', 'echo-request', 'time-exceeded', 'parameter-problem']),
    code: opt(u8()),
    checksum: opt(U16),
    id: opt(U16),
    seq: opt(U16),
    rest: opt(U32),
  },
  icmpv6: {
    icmpType: IcmpType([
      'dest-unreachable',
      'packet-too-big',
      'time-exceeded',
      'parameter-problem',
      'echo-request',
      'echo-reply',
      'router-solicitation',
      'router-advertisement',
      'neighbor-solicitation',
      'neighbor-advertisement',
    ]),
    code: opt(u8()),
    checksum: opt(U16),
    id: opt(U16),
    seq: opt(U16),
    rest: opt(U32),
    naFlags: opt(strict({ router: opt(Type.Boolean()), solicited: opt(Type.Boolean()), override: opt(Type.Boolean()) })),
    target: opt(Ipv6Text),
    ndOptions: opt(Type.Array(NdOption)),
  },
  vxlan: { vni: uint(0, 0xffffff), flags: opt(u8()), reserved1: opt(uint(0, 0xffffff)), reserved2: opt(u8()) },
  gtpu: {
    version: opt(uint(0, 7)),
    pt: opt(uint(0, 1)),
    flags: opt(u8()),
    msgType: opt(u8()),
    gtpLength: opt(U16),
    teid: U32,
    seq: opt(U16),
    npdu: opt(u8()),
    extensions: opt(Type.Array(GtpExtension)),
  },
  gre: { flags: opt(U16), version: opt(uint(0, 7)), protocol: opt(U16), checksum: opt(U16), key: opt(U32), seq: opt(U32) },
  payload: payloadFields,
  trailer: payloadFields,
};

export const Layer = tagged('type', LAYER_FIELDS, {
  description:
    "A src/packet LayerSpec; byte fields are written {hex: '...'}; payload and trailer take exactly one of text, hex, size, data.",
});
export const Layers = Type.Array(Layer, { minItems: 1 });

/** A layer as written (before {hex} becomes bytes); layers.ts turns it into a LayerSpec. */
export type RawLayer = Static<typeof Layer>;
