"""Executable model of how @atproto/lex-data (fromBase64Node) decodes the
string in a JSON `{"$bytes": "..."}` object on Node 20/22 (Node's legacy
base64 decoder in src/base64-inl.h + lex-data's verifyBase64ForBytes).

Checked against the real thing by tools/ref/model/check_models.mjs.
`decode_lex_bytes(s)` returns the decoded bytes, or None if jsonToLex leaves
the object as a plain (non-bytes) object.

Strings are handled as sequences of UTF-16 code units, like JS.
"""

B64 = {}
for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
    B64[ord(c)] = i
B64[ord('+')] = 62
B64[ord('-')] = 62  # Node accepts the url-safe alphabet in 'base64' mode too
B64[ord('/')] = 63
B64[ord('_')] = 63


def utf16_units(s: str):
    b = s.encode('utf-16-le', 'surrogatepass')
    return [b[i] | (b[i + 1] << 8) for i in range(0, len(b), 2)]


def unbase64(byte):  # byte: 0..255 ; >= 64 means "not a base64 char"
    return B64.get(byte, 255)


def node_buffer_from_base64(units):
    """Buffer.from(str, 'base64') in Node 20.x (legacy decoder)."""
    n = len(units)
    # JS side: base64ByteLength(str, str.length) -> destination buffer size
    m = n
    if m > 0 and units[m - 1] == 0x3D:
        m -= 1
    if m > 1 and units[m - 1] == 0x3D:
        m -= 1
    dstlen = (m * 3) >> 2
    # C++ side: base64_decoded_size(src, srclen) (compares full UTF-16 units)
    if n < 2:
        decoded_size = 0
    else:
        size = n
        if units[size - 1] == 0x3D:
            size -= 1
            if units[size - 1] == 0x3D:
                size -= 1
        rem = size % 4
        decoded_size = (size // 4) * 3
        if rem:
            if decoded_size == 0 and rem == 1:
                decoded_size = 0
            else:
                decoded_size += 1 + (1 if rem == 3 else 0)
    # every unit is truncated to its low byte (static_cast<uint8_t>)
    src = [u & 0xFF for u in units]
    dst = []
    available = min(dstlen, decoded_size)
    max_k = available // 3 * 3
    max_i = n // 4 * 4
    i = 0

    def group_slow(i):
        """Returns (continue?, new_i). Appends to dst."""
        hi = None
        for step in range(4):
            while True:
                c = src[i]
                lo = unbase64(c)
                i += 1
                if lo < 64:
                    break
                if c == 0x3D or i >= n:
                    return False, i
            if step == 1:
                dst.append(((hi & 0x3F) << 2) | ((lo & 0x30) >> 4))
            elif step == 2:
                dst.append(((hi & 0x0F) << 4) | ((lo & 0x3C) >> 2))
            elif step == 3:
                dst.append(((hi & 0x03) << 6) | (lo & 0x3F))
            if i >= n:
                return False, i
            if len(dst) >= dstlen:
                return False, i
            hi = lo
        return True, i

    while i < max_i and len(dst) < max_k:
        txt = [unbase64(src[i + j]) for j in range(4)]
        if any(t >= 64 for t in txt):
            cont, i = group_slow(i)
            if not cont:
                return bytes(dst)
            max_i = i + (n - i) // 4 * 4
        else:
            v = (txt[0] << 24) | (txt[1] << 16) | (txt[2] << 8) | txt[3]
            dst.append(((v >> 22) & 0xFC) | ((v >> 20) & 0x03))
            dst.append(((v >> 12) & 0xF0) | ((v >> 10) & 0x0F))
            dst.append(((v >> 2) & 0xC0) | (v & 0x3F))
            i += 4
    if i < n and len(dst) < dstlen:
        group_slow(i)
    return bytes(dst)


def verify(units, out):
    """lex-data verifyBase64ForBytes; False means 'Invalid base64 string'."""
    n = len(units)
    s_end2 = n >= 2 and units[-1] == 0x3D and units[-2] == 0x3D
    s_end1 = n >= 1 and units[-1] == 0x3D
    padding = 2 if s_end2 else 1 if s_end1 else 0
    trimmed = n - padding
    expected = (trimmed * 3) // 4
    if len(out) != expected:
        return False
    exp_b64 = len(out) / 3 * 4                       # a float in JS
    exp_pad = 0 if exp_b64 % 4 == 0 else 4 - (exp_b64 % 4)
    if n > exp_b64 + exp_pad:
        return False
    import math
    for i in range(math.ceil(exp_b64), n - padding):
        c = units[i]
        if not (65 <= c <= 90 or 97 <= c <= 122 or 48 <= c <= 57 or c == 43 or c == 47):
            return False
    return True


def decode_lex_bytes(s: str):
    units = utf16_units(s)
    out = node_buffer_from_base64(units)
    return out if verify(units, out) else None


if __name__ == '__main__':
    import json, sys
    for line in sys.stdin:
        s = json.loads(line)
        r = decode_lex_bytes(s)
        print('null' if r is None else json.dumps(list(r), separators=(',', ':')))
