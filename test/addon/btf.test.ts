// BTF layout of a map's key and value: exact member names, offsets and sizes.
import test from 'ava';
import { BpfObject } from '../../native/index.js';
import type { BtfType } from '../../native/index.js';
import { fixture } from './_helpers.js';

const u8 = { name: '__u8', kind: 'int', size: 1 } as const;
const u16 = { name: '__u16', kind: 'int', size: 2 } as const;
const u32 = { name: '__u32', kind: 'int', size: 4 } as const;
const u64 = { name: '__u64', kind: 'int', size: 8 } as const;

function member(name: string, offset: number, size: number, type: BtfType, bitOffset = offset * 8, bitSize = 0) {
  return { name, offset, bitOffset, bitSize, size, type };
}

test('key and value layouts of the flows map, with nested struct, union, array and bitfields', (t) => {
  const obj = new BpfObject(fixture('maps'));
  t.teardown(() => obj.close());
  const layout = obj.btfLayout('flows');

  t.deepEqual(layout.key, {
    name: 'flow_key',
    kind: 'struct',
    size: 8,
    members: [member('addr', 0, 4, u32), member('port', 4, 2, u16), member('proto', 6, 1, u8), member('zone', 7, 1, u8)],
  });

  t.deepEqual(layout.value, {
    name: 'flow_value',
    kind: 'struct',
    size: 48,
    members: [
      member('stats', 0, 16, {
        name: '',
        kind: 'struct',
        size: 16,
        members: [member('packets', 0, 8, u64), member('bytes', 8, 8, u64)],
      }),
      member('mac', 16, 6, { name: '', kind: 'array', size: 6, element: u8, length: 6 }),
      member('flags', 22, 2, u16),
      member('next_hop', 24, 16, {
        name: '',
        kind: 'union',
        size: 16,
        members: [member('ipv4', 0, 4, u32), member('ipv6', 0, 16, { name: '', kind: 'array', size: 16, element: u8, length: 16 })],
      }),
      member('kind', 40, 4, u32, 320, 4),
      member('weight', 40, 4, u32, 324, 12),
      member('reserved', 42, 4, u32, 336, 16),
    ],
  });
});

test('scalar key and value types', (t) => {
  const obj = new BpfObject(fixture('maps'));
  t.teardown(() => obj.close());
  t.deepEqual(obj.btfLayout('crud'), { key: u32, value: u64 });
});
