import { decodePacket } from './decode.js';
import type { ChecksumCheck, DecodedLayer, DecodedPacket } from './types.js';
import type { SctpChunk } from './sctp.js';
import type { TcpOption } from './tcp.js';
import { ICMP_TYPES } from './icmp.js';
import { ICMPV6_TYPES } from './icmpv6.js';

const hex = (n: number | undefined, width = 4): string => `0x${(n ?? 0).toString(16).padStart(width, '0')}`;

function bytesPreview(data: Buffer): string {
  const shown = data.subarray(0, 16).toString('hex');
  return `${data.length} bytes${data.length ? ` ${shown}${data.length > 16 ? '...' : ''}` : ''}`;
}

function checksumText(value: number | undefined, check: ChecksumCheck | undefined, width = 4): string {
  const v = `csum ${hex(value, width)}`;
  if (!check) return v;
  if (check.valid) return `${v} ok`;
  if (check.partial) return `${v} partial`;
  return `${v} bad (expected ${hex(check.expected, width)})`;
}

function typeName(t: number | string, names: Record<string, number>): string {
  if (typeof t === 'string') return t;
  const found = Object.entries(names).find(([, n]) => n === t);
  return found ? found[0] : `type ${t}`;
}

function tcpFlags(l: Extract<DecodedLayer, { type: 'tcp' }>): string {
  const f = l.flags ?? {};
  const letters = [
    [f.syn, 'S'],
    [f.fin, 'F'],
    [f.rst, 'R'],
    [f.psh, 'P'],
    [f.urg, 'U'],
    [f.ece, 'E'],
    [f.cwr, 'W'],
    [f.ae, 'A'],
    [f.ack, '.'],
  ]
    .filter(([on]) => on)
    .map(([, c]) => c)
    .join('');
  return `[${letters || 'none'}]`;
}

function tcpOption(o: TcpOption): string {
  switch (o.kind) {
    case 'mss':
      return `mss ${o.value}`;
    case 'wscale':
      return `wscale ${o.value}`;
    case 'timestamps':
      return `ts ${o.tsval} ${o.tsecr}`;
    case 'sack':
      return `sack ${o.blocks.map((b) => `${b.left}-${b.right}`).join(' ')}`;
    case 'raw':
      return `raw ${o.data.toString('hex')}`;
    default:
      return o.kind;
  }
}

function sctpChunk(c: SctpChunk): string {
  const name = c.type === 'unknown' ? `chunk-${c.code}` : c.type.toUpperCase();
  switch (c.type) {
    case 'data':
      return `${name}(tsn ${c.tsn} sid ${c.streamId ?? 0} ssn ${c.streamSeq ?? 0} ppid ${c.ppid ?? 0} len ${c.data.length})`;
    case 'init':
    case 'init-ack': {
      const params = (c.params ?? []).map((p) =>
        p.type === 'ipv4' || p.type === 'ipv6' ? p.addr : p.type === 'raw' ? `param-${p.code}` : p.type,
      );
      return `${name}(tag ${hex(c.initiateTag, 8)} tsn ${c.initialTsn}${params.length ? ` ${params.join(' ')}` : ''})`;
    }
    case 'sack':
      return `${name}(cum ${c.cumTsnAck}${c.gapBlocks?.length ? ` gaps ${c.gapBlocks.length}` : ''})`;
    case 'shutdown':
      return `${name}(cum ${c.cumTsnAck})`;
    case 'abort':
    case 'shutdown-complete':
      return c.tBit ? `${name}(T)` : name;
    case 'cookie-echo':
      return `${name}(${c.cookie.length} bytes)`;
    default:
      return name;
  }
}

function renderLayer(l: DecodedLayer, check: ChecksumCheck | undefined): string {
  switch (l.type) {
    case 'eth':
      return `eth ${l.src} > ${l.dst} type ${hex(l.ethertype)}`;
    case 'vlan':
      return `vlan ${l.vid} pcp ${l.pcp ?? 0}${l.dei ? ' dei' : ''} type ${hex(l.ethertype)}`;
    case 'arp':
      return `arp op ${l.op} ${l.sha} ${l.spa} > ${l.tha ?? '00:00:00:00:00:00'} ${l.tpa}`;
    case 'ipv4': {
      const extra = [
        l.flags?.df ? 'df' : '',
        l.flags?.mf ? 'mf' : '',
        l.fragOffset ? `frag ${l.fragOffset * 8}` : '',
        l.options?.length ? `opts ${l.options.length}` : '',
      ]
        .filter(Boolean)
        .map((s) => ` ${s}`)
        .join('');
      return `ipv4 ${l.src} > ${l.dst} ttl ${l.ttl ?? 64} id ${l.id ?? 0} len ${l.totalLength}${extra} ${checksumText(l.checksum, check)}`;
    }
    case 'ipv6': {
      const exts = (l.extensions ?? []).map((e) =>
        e.type === 'fragment' ? `fragment(off ${(e.fragOffset ?? 0) * 8}${e.mf ? ' mf' : ''} id ${e.id ?? 0})` : e.type,
      );
      return `ipv6 ${l.src} > ${l.dst} hlim ${l.hopLimit ?? 64} flow ${hex(l.flowLabel, 5)} plen ${l.payloadLength}${exts.length ? ` ext ${exts.join(',')}` : ''}`;
    }
    case 'tcp': {
      const opts = (l.options ?? []).filter((o) => o.kind !== 'nop' && o.kind !== 'eol').map(tcpOption);
      return `tcp ${l.sport} > ${l.dport} ${tcpFlags(l)} seq ${l.seq ?? 0} ack ${l.ack ?? 0} win ${l.window ?? 0}${opts.length ? ` opts ${opts.join(',')}` : ''} ${checksumText(l.checksum, check)}`;
    }
    case 'udp':
      return `udp ${l.sport} > ${l.dport} len ${l.udpLength} ${checksumText(l.checksum, check)}`;
    case 'sctp':
      return `sctp ${l.sport} > ${l.dport} vtag ${hex(l.vtag, 8)} ${checksumText(l.checksum, check, 8)} ${l.chunks.map(sctpChunk).join(',') || 'no chunks'}`;
    case 'icmp': {
      const echo = l.id !== undefined ? ` id ${l.id} seq ${l.seq ?? 0}` : '';
      return `icmp ${typeName(l.icmpType, ICMP_TYPES)} code ${l.code ?? 0}${echo} ${checksumText(l.checksum, check)}`;
    }
    case 'icmpv6': {
      const echo = l.id !== undefined ? ` id ${l.id} seq ${l.seq ?? 0}` : '';
      const target = l.target ? ` target ${l.target}` : '';
      return `icmpv6 ${typeName(l.icmpType, ICMPV6_TYPES)} code ${l.code ?? 0}${echo}${target} ${checksumText(l.checksum, check)}`;
    }
    case 'vxlan':
      return `vxlan vni ${l.vni}`;
    case 'gre':
      return `gre proto ${hex(l.protocol ?? 0, 4)}${l.key !== undefined ? ` key ${hex(l.key, 8)}` : ''}`;
    case 'gtpu': {
      const qfi = (l.extensions ?? [])
        .map((e) => (e.type === 'pduSession' ? ` qfi ${e.qfi} ${e.pduType === 0 ? 'dl' : 'ul'}` : ` ext ${hex(e.extType, 2)}`))
        .join('');
      return `gtpu teid ${hex(l.teid, 8)} type ${l.msgType ?? 255} len ${l.gtpLength}${qfi}`;
    }
    case 'payload':
      return `payload ${bytesPreview(l.data)}`;
    case 'trailer':
      return `trailer ${bytesPreview(l.data)}`;
  }
}

/** One line per layer, then a line for the decode error if there is one. */
export function renderPacket(p: DecodedPacket | Buffer): string {
  const packet = Buffer.isBuffer(p) ? decodePacket(p) : p;
  const lines = packet.layers.map((l, i) =>
    renderLayer(
      l,
      packet.checksums.find((c) => c.index === i),
    ),
  );
  if (packet.error) lines.push(`error at ${packet.error.offset} (${packet.error.layer}): ${packet.error.message}`);
  return lines.join('\n');
}
