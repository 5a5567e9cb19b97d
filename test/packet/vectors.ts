// Hand-checked packets: each hex literal was decoded with `tcpdump -r -vvv -e -xx` (fields,
// IPv4 header, TCP, UDP and ICMPv6 checksums reported correct) and by reading the bytes.
import type { LayerSpec } from '../../src/packet/index.js';

const eth = { type: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } as const;

export const VECTORS: Record<string, { layers: LayerSpec[]; hex: string }> = {
  tcpSyn: {
    layers: [
      eth,
      { type: 'ipv4', src: '10.0.0.1', dst: '10.0.1.2', ttl: 64, id: 1, flags: { df: true } },
      {
        type: 'tcp',
        sport: 1234,
        dport: 80,
        seq: 1,
        window: 64240,
        flags: { syn: true },
        options: [
          { kind: 'mss', value: 1460 },
          { kind: 'sackPerm' },
          { kind: 'timestamps', tsval: 100, tsecr: 0 },
          { kind: 'nop' },
          { kind: 'wscale', value: 7 },
        ],
      },
    ],
    hex: '02000000000202000000000108004500003c00014000400625b90a0000010a00010204d200500000000100000000a002faf032860000020405b40402080a000000640000000001030307',
  },
  udpVlan: {
    layers: [
      eth,
      { type: 'vlan', vid: 100, pcp: 3 },
      { type: 'ipv4', src: '10.0.0.1', dst: '10.0.1.2', id: 7 },
      { type: 'udp', sport: 5000, dport: 53 },
      { type: 'payload', data: Buffer.from('hello') },
    ],
    hex: '0200000000020200000000018100606408004500002100070000401165c30a0000010a00010213880035000d934268656c6c6f',
  },
  icmpEcho: {
    layers: [
      eth,
      { type: 'ipv4', src: '10.0.0.1', dst: '10.0.1.2', id: 0x1234 },
      { type: 'icmp', icmpType: 'echo-request', id: 7, seq: 3 },
      { type: 'payload', data: Buffer.from('abcd') },
    ],
    hex: '02000000000202000000000108004500002012340000400153a70a0000010a0001020800332f0007000361626364',
  },
  icmp6Echo: {
    layers: [
      eth,
      { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', flowLabel: 0x12345, hopLimit: 64 },
      { type: 'icmpv6', icmpType: 'echo-request', id: 1, seq: 2 },
      { type: 'payload', data: Buffer.from('hi') },
    ],
    hex: '02000000000202000000000186dd60012345000a3a40fd000000000000000000000000000001fd00000000000000000000000000000280001d4a000100026869',
  },
  neighborSolicitation: {
    layers: [
      { type: 'eth', src: '02:00:00:00:00:01', dst: '33:33:ff:00:00:02' },
      { type: 'ipv6', src: 'fd00::1', dst: 'ff02::1:ff00:2', hopLimit: 255 },
      { type: 'icmpv6', icmpType: 'neighbor-solicitation', target: 'fd00::2', ndOptions: [{ type: 'sll', mac: '02:00:00:00:00:01' }] },
    ],
    hex: '3333ff00000202000000000186dd6000000000203afffd000000000000000000000000000001ff0200000000000000000001ff00000287007d9700000000fd0000000000000000000000000000020101020000000001',
  },
  ipv6Extensions: {
    layers: [
      eth,
      {
        type: 'ipv6',
        src: 'fd00::1',
        dst: 'fd00::2',
        extensions: [
          { type: 'hopByHop', options: [{ type: 5, data: Buffer.from([0, 0]) }] },
          { type: 'destOpts', options: [] },
          { type: 'fragment', id: 0xabcd, mf: true, fragOffset: 0 },
        ],
      },
      { type: 'udp', sport: 1000, dport: 2000 },
      { type: 'payload', data: Buffer.from('frag') },
    ],
    hex: '02000000000202000000000186dd6000000000240040fd000000000000000000000000000001fd0000000000000000000000000000023c000502000001002c00010400000000110000010000abcd03e807d0000c324066726167',
  },
  ipv4RouterAlert: {
    layers: [
      eth,
      { type: 'ipv4', src: '10.0.0.1', dst: '10.0.1.2', id: 9, options: [{ type: 148, data: Buffer.from([0, 0]) }] },
      { type: 'udp', sport: 1, dport: 2 },
    ],
    hex: '020000000002020000000001080046000020000900004011d0bd0a0000010a00010294040000000100020008ead8',
  },
  ipv4LaterFragment: {
    layers: [
      eth,
      { type: 'ipv4', src: '10.0.0.1', dst: '10.0.1.2', id: 77, fragOffset: 185, flags: { mf: true }, protocol: 17 },
      { type: 'payload', data: Buffer.alloc(8, 0xaa) },
    ],
    hex: '02000000000202000000000108004500001c004d20b9401144c90a0000010a000102aaaaaaaaaaaaaaaa',
  },
  arpRequest: {
    layers: [
      { type: 'eth', src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff' },
      { type: 'arp', op: 1, sha: '02:00:00:00:00:01', spa: '10.0.0.1', tpa: '10.0.0.2' },
    ],
    hex: 'ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002',
  },
  sctpInit: {
    layers: [
      eth,
      { type: 'ipv4', src: '10.0.0.1', dst: '10.0.1.2', id: 3 },
      {
        type: 'sctp',
        sport: 5000,
        dport: 38412,
        vtag: 0,
        chunks: [
          {
            type: 'init',
            initiateTag: 0x11223344,
            arwnd: 65536,
            outStreams: 2,
            inStreams: 2,
            initialTsn: 100,
            params: [
              { type: 'ipv4', addr: '10.0.0.1' },
              { type: 'ipv6', addr: 'fd00::1' },
            ],
          },
        ],
      },
    ],
    hex: '02000000000202000000000108004500005000030000408465250a0000010a0001021388960c00000000e4c0e5b00100003011223344000100000002000200000064000500080a00000100060014fd000000000000000000000000000001',
  },
  sctpDataSack: {
    layers: [
      eth,
      { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2' },
      {
        type: 'sctp',
        sport: 5000,
        dport: 38412,
        vtag: 0x55667788,
        chunks: [
          { type: 'data', tsn: 100, streamId: 1, streamSeq: 0, ppid: 60, data: Buffer.from('abc') },
          { type: 'sack', cumTsnAck: 41 },
        ],
      },
    ],
    hex: '02000000000202000000000186dd6000000000308440fd000000000000000000000000000001fd0000000000000000000000000000021388960c5566778868488b5f0003001300000064000100000000003c6162630003000010000000290001000000000000',
  },
  vxlan: {
    layers: [
      eth,
      { type: 'ipv4', src: '192.168.0.1', dst: '192.168.0.2', id: 1 },
      { type: 'udp', sport: 50000 },
      { type: 'vxlan', vni: 4242 },
      { type: 'eth', src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b' },
      { type: 'ipv4', src: '10.1.0.1', dst: '10.1.0.2', id: 2 },
      { type: 'icmp', icmpType: 'echo-reply', id: 1, seq: 1 },
    ],
    hex: '02000000000202000000000108004500004e000100004011f94ac0a80001c0a80002c35012b5003a01fb080000000010920002000000000b02000000000a08004500001c00020000400166db0a0100010a0100020000fffd00010001',
  },
  gtpuQfi: {
    layers: [
      eth,
      { type: 'ipv4', src: '192.168.0.1', dst: '192.168.0.2', id: 1 },
      { type: 'udp' },
      { type: 'gtpu', teid: 0x1234, extensions: [{ type: 'pduSession', pduType: 0, qfi: 9 }] },
      { type: 'ipv4', src: '10.45.0.2', dst: '8.8.8.8', id: 5 },
      { type: 'udp', sport: 1000, dport: 53 },
    ],
    hex: '020000000002020000000001080045000048000100004011f950c0a80001c0a8000208680868003435de34ff00240000123400000085010009004500001c000500004011608e0a2d00020808080803e800350008e182',
  },
};
