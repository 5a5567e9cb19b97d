/** Opaque bytes after the last decoded header. */
export interface PayloadSpec {
  type: 'payload';
  data: Buffer;
}

/** Bytes after the end of the outermost IP packet (Ethernet padding); not counted in lengths. */
export interface TrailerSpec {
  type: 'trailer';
  data: Buffer;
}
