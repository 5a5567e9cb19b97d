import test from 'ava';
import { buildPacket, crc32c, decodePacket } from '../../src/packet/index.js';

// RFC 3720 appendix B.4. The RFC lists the CRC bytes as they sit on the wire (least
// significant byte first), e.g. "aa 36 91 8a" for 0x8a9136aa.
const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const iscsiReadPdu = Buffer.from(
  [
    '01c00000',
    '00000000',
    '00000000',
    '00000000',
    '14000000',
    '00000400',
    '00000014',
    '00000018',
    '28000000',
    '00000000',
    '02000000',
    '00000000',
  ].join(''),
  'hex',
);

const vectors: [string, Buffer, number, string][] = [
  ['32 bytes of zeros', Buffer.alloc(32, 0), 0x8a9136aa, 'aa36918a'],
  ['32 bytes of 0xff', Buffer.alloc(32, 0xff), 0x62a8ab43, '43aba862'],
  ['32 ascending bytes 0..31', ascending, 0x46dd794e, '4e79dd46'],
  ['32 descending bytes 31..0', Buffer.from(ascending).reverse(), 0x113fdb5c, '5cdb3f11'],
  ['iSCSI SCSI Read (10) command PDU', iscsiReadPdu, 0xd9963a56, '563a96d9'],
];

for (const [name, data, value, wire] of vectors) {
  test(`crc32c RFC 3720 B.4: ${name}`, (t) => {
    t.is(crc32c(data), value);
    const stored = Buffer.alloc(4);
    stored.writeUInt32LE(crc32c(data));
    t.is(stored.toString('hex'), wire);
  });
}

test('crc32c check value and continuation', (t) => {
  t.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  t.is(crc32c(Buffer.alloc(0)), 0);
  t.is(crc32c(iscsiReadPdu.subarray(20), crc32c(iscsiReadPdu.subarray(0, 20))), 0xd9963a56);
});

test('SCTP checksum is the CRC32c of the packet with a zero field, stored little-endian', (t) => {
  const sctp = buildPacket([{ type: 'sctp', sport: 1, dport: 2, vtag: 3, chunks: [{ type: 'cookie-ack' }] }]);
  const zeroed = Buffer.from(sctp);
  zeroed.writeUInt32LE(0, 8);
  t.is(sctp.readUInt32LE(8), crc32c(zeroed));
  const d = decodePacket(sctp, { first: 'sctp' });
  t.deepEqual(d.checksums, [{ layer: 'sctp', index: 0, field: 'checksum', valid: true, expected: crc32c(zeroed), actual: crc32c(zeroed) }]);
  sctp[12]! ^= 1;
  t.false(decodePacket(sctp, { first: 'sctp' }).checksums[0]!.valid);
});

test('an SCTP INIT matches an independent implementation byte for byte (Scapy regression vector)', (t) => {
  // Expected bytes from Scapy's SCTP regression tests: IP()/SCTP()/SCTPChunkInit(params=[SCTPChunkParamIPv4Addr()]),
  // whose checksum field reads 40 2c 0b 5f on the wire.
  const expected =
    '4500003c0001000040847c3b7f0000017f0000010000000000000000402c0b5f0100001c00000000000000000000000000000000000500087f000001';
  const built = buildPacket([
    { type: 'ipv4', src: '127.0.0.1', dst: '127.0.0.1', id: 1 },
    {
      type: 'sctp',
      sport: 0,
      dport: 0,
      vtag: 0,
      chunks: [
        {
          type: 'init',
          initiateTag: 0,
          arwnd: 0,
          outStreams: 0,
          inStreams: 0,
          initialTsn: 0,
          params: [{ type: 'ipv4', addr: '127.0.0.1' }],
        },
      ],
    },
  ]);
  t.is(built.toString('hex'), expected);
  t.true(decodePacket(built, { first: 'ipv4' }).checksums.every((c) => c.valid));
});
