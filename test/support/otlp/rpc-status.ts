/** Reads google.rpc.Status by hand: code (1, varint int32), message (2, string). */
export function readStatus(bytes: Uint8Array): { code?: number; message?: string } {
  const out: { code?: number; message?: string } = {};
  let pos = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    if (tag === 0x08) out.code = Number(BigInt.asIntN(32, varint()));
    else if (tag === 0x12) {
      const length = Number(varint());
      out.message = new TextDecoder().decode(bytes.subarray(pos, pos + length));
      pos += length;
    } else throw new Error(`unexpected tag ${tag}`);
  }
  return out;
}
