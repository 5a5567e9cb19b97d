// Every map with BTF key/value types and the codecs TypeScript uses for it: checked
// against the object at every load (btf-check.ts).
import { FORWARDING_MAP_CODECS } from './codecs.js';
import { QOS_MIRROR_TUNNEL_MAP_CODECS } from './codecs-qos-mirror-tunnel.js';
import { LB_MAP_CODECS } from './lb-codecs.js';
import type { MapCodec } from './struct-codec.js';

export const MAP_CODECS: readonly MapCodec[] = [...FORWARDING_MAP_CODECS, ...LB_MAP_CODECS, ...QOS_MIRROR_TUNNEL_MAP_CODECS];
