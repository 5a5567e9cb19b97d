// Building blocks shared by every part of the configuration model: names, addresses,
// numbers with their ranges, counts.
import Type, { type TObject, type TObjectOptions, type TProperties, type Static } from 'typebox';

export const Mac = Type.String({ pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$', description: 'A MAC address, aa:bb:cc:dd:ee:ff.' });
export const Ifname = Type.String({ pattern: '^[^\\s/:]{1,15}$', description: 'A Linux interface name.' });
/** An IPv4 or IPv6 address; the semantic pass parses it with the datapath's own parser. */
export const Address = Type.String({ minLength: 1, description: 'An IPv4 or IPv6 address.' });
export const Ipv4Address = Type.String({ minLength: 1, description: 'An IPv4 address.' });
/** host:ifname of a topology link end. */
export const LinkEnd = Type.String({ pattern: '^[A-Za-z0-9_-]+:[^\\s/:]{1,15}$', description: 'host:ifname' });
export const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const u8 = (max = 255): ReturnType<typeof Type.Integer> => Type.Integer({ minimum: 0, maximum: max });
export const uint = (min = 0, max?: number): ReturnType<typeof Type.Integer> =>
  Type.Integer(max === undefined ? { minimum: min } : { minimum: min, maximum: max });
export const U16 = Type.Integer({ minimum: 0, maximum: 65535 });
export const U32 = Type.Integer({ minimum: 0, maximum: 4294967295 });
export const Vlan = Type.Integer({ minimum: 0, maximum: 4095 });
export const Zone = U16;
export const BridgeDomain = U16;
/** A duration of up to seven days in milliseconds. */
export const WeekMs = Type.Integer({ minimum: 0, maximum: 604_800_000 });

export const Count = Type.Union(
  [
    Type.Integer({ minimum: 0 }),
    Type.Object(
      { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
      { additionalProperties: false, minProperties: 1 },
    ),
  ],
  { description: 'An exact number, or bounds.' },
);
export type Count = Static<typeof Count>;

export const CounterMap = Type.Record(Type.String(), Count);

/** Bytes in YAML: {hex: '0a0b'}. */
export const Bytes = Type.Object(
  { hex: Type.String({ pattern: '^([0-9a-fA-F]{2})*$' }) },
  { additionalProperties: false, description: "Bytes, written { hex: '0a0b' }." },
);

export const MODE_NAMES = ['wire', 'packet'] as const;
export const Modes = Type.Array(Type.Enum([...MODE_NAMES]), { minItems: 1, uniqueItems: true });

/** A closed object: a field the model does not name is an error. */
export function strict<P extends TProperties>(properties: P, options: TObjectOptions = {}): TObject<P> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}
