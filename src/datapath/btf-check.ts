// Proves the TypeScript codecs match the loaded object's BTF: a header change that the
// codecs missed fails the load, naming the map and the field.
import type { BtfType, MapLayout } from '../../native/index.js';
import type { MapCodec } from './codecs.js';
import type { StructCodec } from './struct-codec.js';
import { ObjectMismatchError } from './object-mismatch.js';

function checkSide(map: string, side: 'key' | 'value', codec: StructCodec<unknown>, btf: BtfType): void {
  const where = `map ${map} ${side}`;
  if (btf.size !== codec.size) {
    throw new ObjectMismatchError(`${where}: BTF type '${btf.name}' is ${btf.size} bytes, codec ${codec.cName} expects ${codec.size}`);
  }
  if (codec.fields.length === 0) return;
  if (btf.kind !== 'struct')
    throw new ObjectMismatchError(`${where}: BTF type '${btf.name}' is a ${btf.kind}, codec expects struct ${codec.cName}`);
  if (btf.name !== codec.cName) throw new ObjectMismatchError(`${where}: BTF struct is '${btf.name}', codec expects '${codec.cName}'`);
  const members = btf.members ?? [];
  for (const field of codec.fields) {
    const m = members.find((x) => x.name === field.name);
    if (m === undefined) throw new ObjectMismatchError(`${where}: field ${codec.cName}.${field.name} is not in the BTF struct`);
    if (m.offset !== field.offset) {
      throw new ObjectMismatchError(
        `${where}: field ${codec.cName}.${field.name} is at offset ${m.offset} in BTF, codec says ${field.offset}`,
      );
    }
    if (m.size !== field.size) {
      throw new ObjectMismatchError(`${where}: field ${codec.cName}.${field.name} is ${m.size} bytes in BTF, codec says ${field.size}`);
    }
  }
  for (const m of members) {
    if (!codec.fields.some((x) => x.name === m.name)) {
      throw new ObjectMismatchError(`${where}: BTF field ${codec.cName}.${m.name} (offset ${m.offset}) is unknown to the codec`);
    }
  }
}

export function checkCodecAgainstBtf(codec: MapCodec, layout: MapLayout): void {
  checkSide(codec.map, 'key', codec.key, layout.key);
  checkSide(codec.map, 'value', codec.value, layout.value);
}

export function checkCodecsAgainstBtf(codecs: readonly MapCodec[], layoutOf: (map: string) => MapLayout): void {
  for (const c of codecs) checkCodecAgainstBtf(c, layoutOf(c.map));
}
