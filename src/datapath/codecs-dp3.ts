// Issue 6 maps and their codecs (registered in codecs.ts MAP_CODECS, checked against BTF
// at every load like the others).
// Type-only import of codecs.ts: codecs.ts imports this file to register the list.
import type { MapCodec } from './codecs.js';
import { policerCodec } from './policer.js';
import { type StructCodec, structCodec, u32Codec } from './struct-codec.js';

/** fp_counter again (codecs.ts has it too; importing it here would be circular). */
const counterCodec = structCodec<{ packets: bigint; bytes: bigint }>('fp_counter', 16, [
  { name: 'packets', offset: 0, size: 8, kind: 'u64' }, { name: 'bytes', offset: 8, size: 8, kind: 'u64' },
]);

function mc<K, V>(map: string, key: StructCodec<K>, value: StructCodec<V>): MapCodec {
  return { map, key: key as StructCodec<unknown>, value: value as StructCodec<unknown> };
}

export const DP3_MAP_CODECS: readonly MapCodec[] = [
  mc('pol', u32Codec, policerCodec),
  mc('stats_pol', u32Codec, counterCodec),
];

/** Issue 6 configuration maps (compared whole in the no-partial-state tests). */
export const DP3_CONFIG_MAPS = ['pol'] as const;
