//! `cid` format, and the CID strings of `cid-link` values.

use super::FormatError;
use crate::js;

/// `cid` format: port of @atproto/lexicon 0.7's `parseCidString` (at most 128 UTF-16
/// units) over multiformats 13 `CID.parse(value)`:
/// - first char `b`: base32 (lowercase RFC 4648, no padding — but trailing
///   `=` are stripped before decoding, so `bafy...===` passes; leftover bits
///   must be zero);
/// - first char `z`: base58btc of the rest; `k`: base36 of the rest; `Q`: base58btc
///   of the whole string (CIDv0 style); base-x quirks kept (a leading space fails,
///   and a UTF-16 code unit above 0xFF is not rejected but zeroes the low byte
///   of the accumulator — so some non-ASCII strings are valid CIDs);
/// - anything else fails.
///
/// Then `CID.decode`: varints decoded like JS (doubles, at most 8 bytes,
/// non-minimal encodings allowed). First varint 18 means CIDv0 (re-read as the
/// multihash); otherwise a codec varint follows and the version must be 0 or 1. Then
/// multihash code (any) and digest length, which must exactly cover the remaining
/// bytes. A version-0 CID must be written starting with `Q` (no multibase prefix).
pub fn cid(s: &str) -> Result<(), FormatError> {
    if s.is_empty() {
        return Err(FormatError("must be a cid string"));
    }
    if js::string::utf16_len_exceeds(s, 128) {
        return Err(FormatError("cid string too long (128 chars max)"));
    }
    let first = s.as_bytes()[0];
    let version = match first {
        b'b' => {
            let body = &s.as_bytes()[1..];
            let mut stack = [0u8; 100];
            let mut heap = Vec::new();
            let out = base32_decode(body, &mut stack, &mut heap)?;
            decode_cid_bytes(out)?
        }
        b'z' => basex_then_decode(&s[1..], BASE58_ALPHABET)?,
        b'k' => basex_then_decode(&s[1..], BASE36_ALPHABET)?,
        b'Q' => basex_then_decode(s, BASE58_ALPHABET)?,
        _ => {
            return Err(FormatError(
                "cid must be base32 (b...), base36 (k...) or base58btc (z.../Qm...)",
            ))
        }
    };
    if version == 0 && first != b'Q' {
        return Err(FormatError(
            "Version 0 CID string must not include multibase prefix",
        ));
    }
    Ok(())
}

/// multiformats' base36 alphabet (prefix `k`).
const BASE36_ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `cid-link` values, `{"$link": "..."}`: port of lex-json `parseLexLink`
/// followed by lexicon's `cidLink` (`CID.asCID`). An object that fails to
/// parse stays a plain object and then fails `asCID`, so the rule is: the
/// string is 1..=2048 UTF-16 code units and passes [`cid`]. The caller must
/// also check the object shape: exactly one key, `$link`, holding a string
/// (otherwise `parseLexLink` leaves it a plain object and `cid-link` fails).
pub fn cid_link(s: &str) -> Result<(), FormatError> {
    if s.is_empty() || js::string::utf16_len_exceeds(s, 2048) {
        return Err(FormatError("must be a CID"));
    }
    cid(s).map_err(|_| FormatError("must be a CID"))
}

/// RFC 4648 base32 decode as in multiformats 9.9.0 `bases/base.js` `decode`.
fn base32_decode<'a>(
    body: &[u8],
    stack: &'a mut [u8],
    heap: &'a mut Vec<u8>,
) -> Result<&'a [u8], FormatError> {
    let mut end = body.len();
    while end > 0 && body[end - 1] == b'=' {
        end -= 1;
    }
    let out_len = end * 5 / 8;
    let out: &mut [u8] = if out_len <= stack.len() {
        &mut stack[..out_len]
    } else {
        heap.resize(out_len, 0);
        &mut heap[..]
    };
    let mut bits = 0u32;
    let mut buffer = 0u32;
    let mut written = 0usize;
    for &c in &body[..end] {
        let v = match c {
            b'a'..=b'z' => c - b'a',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return Err(FormatError("non-base32 character in cid")),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out[written] = (buffer >> bits) as u8;
            written += 1;
        }
    }
    if bits >= 5 || (buffer << (8 - bits)) & 0xff != 0 {
        return Err(FormatError("unexpected end of base32 data in cid"));
    }
    Ok(out)
}

const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn basex_value(alphabet: &[u8], c: u8) -> Option<u8> {
    alphabet.iter().position(|&a| a == c).map(|p| p as u8)
}

fn basex_then_decode(src: &str, alphabet: &[u8]) -> Result<u8, FormatError> {
    // Port of vendored base-x `decodeUnsafe` (multiformats), including
    // its handling of code units > 0xFF (`BASE_MAP[code]` is `undefined`, the
    // carry becomes NaN, which zeroes the lowest byte and drops its carry).
    if src.is_empty() {
        return decode_cid_bytes(&[]);
    }
    let b = src.as_bytes();
    if b[0] == b' ' {
        return Err(FormatError("non-base58 character in cid"));
    }
    let leader = alphabet[0];
    let radix = alphabet.len() as u32;
    let zeroes = b.iter().take_while(|&&c| c == leader).count();
    let body = &src[zeroes..];
    // Each base58 digit adds < 1 byte, so `units` bytes always suffice.
    let units = body.len();
    let mut stack = [0u8; 128];
    let mut heap = Vec::new();
    let num: &mut [u8] = if units <= stack.len() {
        &mut stack[..units]
    } else {
        heap.resize(units, 0);
        &mut heap[..]
    };
    // little-endian big number; `length` = bytes touched so far (as in base-x)
    let mut length = 0usize;
    for c in body.chars() {
        let cu = c as u32;
        if cu >= 0x100 {
            // one NaN step per UTF-16 code unit
            basex_step(num, &mut length, None, radix);
            if cu >= 0x10000 {
                basex_step(num, &mut length, None, radix);
            }
            continue;
        }
        let Some(v) = (cu < 0x80)
            .then(|| basex_value(alphabet, cu as u8))
            .flatten()
        else {
            return Err(FormatError("non-base58 character in cid"));
        };
        basex_step(num, &mut length, Some(v), radix);
    }
    // output: `zeroes` zero bytes, then the big number big-endian without
    // leading zero bytes.
    let sig = num.iter().rposition(|&x| x != 0).map_or(0, |p| p + 1);
    let total = zeroes + sig;
    let mut out_stack = [0u8; 128];
    let mut out_heap = Vec::new();
    let out: &mut [u8] = if total <= out_stack.len() {
        &mut out_stack[..total]
    } else {
        out_heap.resize(total, 0);
        &mut out_heap[..]
    };
    for k in 0..sig {
        out[zeroes + k] = num[sig - 1 - k];
    }
    decode_cid_bytes(out)
}

/// One base-x `decodeUnsafe` digit step on the little-endian accumulator
/// `num` (`length` = bytes touched so far). `None` is the NaN carry of a code
/// unit above 0xFF: the lowest byte is zeroed and its carry dropped.
fn basex_step(num: &mut [u8], length: &mut usize, digit: Option<u8>, radix: u32) {
    let mut i = 0;
    let mut carry = match digit {
        Some(d) => u32::from(d),
        None => {
            if let Some(low) = num.first_mut() {
                *low = 0;
            }
            i = 1;
            0
        }
    };
    while (carry != 0 || i < *length) && i < num.len() {
        carry += radix * u32::from(num[i]);
        num[i] = (carry & 0xff) as u8;
        carry >>= 8;
        i += 1;
    }
    *length = i;
}

/// Vendored `varint.decode` (multiformats 13.4): JS doubles, no limit on the number
/// of bytes (only the 128-char string limit bounds it).
fn js_varint(bytes: &[u8], off: &mut usize) -> Option<f64> {
    let mut res = 0f64;
    let mut shift: u64 = 0;
    loop {
        let b = *bytes.get(*off)?;
        *off += 1;
        let low = b & 0x7f;
        let term = if shift < 28 {
            f64::from(i32::from(low) << shift)
        } else if shift >= 1024 {
            f64::from(low) * f64::INFINITY // 0 * Infinity = NaN, as in JS
        } else {
            f64::from(low) * f64::from_bits((shift + 1023) << 52)
        };
        res += term;
        shift += 7;
        if b < 0x80 {
            return Some(res);
        }
    }
}

/// Port of multiformats 9.9.0 `CID.decode` (`inspectBytes` + `decodeFirst` +
/// remainder check).
fn decode_cid_bytes(bytes: &[u8]) -> Result<u8, FormatError> {
    const TRUNC: FormatError = FormatError("truncated cid varint");
    let mut off = 0usize;
    let first = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    let version = if first == 18.0 {
        off = 0;
        0
    } else {
        let _codec = js_varint(bytes, &mut off).ok_or(TRUNC)?;
        if first == 1.0 {
            1
        } else if first == 0.0 {
            0
        } else {
            return Err(FormatError("invalid cid version"));
        }
    };
    let _multihash_code = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    let digest_size = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    if digest_size != (bytes.len() - off) as f64 {
        return Err(FormatError("incorrect cid length"));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{table, Format};

    const CID_CASES: &[(&str, bool)] = &[
        (
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            true,
        ),
        (
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm===",
            true,
        ),
        (
            "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            true,
        ),
        ("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n", true),
        ("zQmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n", false),
        // non-ASCII accepted by base-x's NaN path
        ("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1\u{100}", true),
        // identity multihash, empty digest: [1, 0x55, 0, 0]
        ("bafkqaaa", true),
        ("", false),
        ("b", false),
        ("z", false),
        ("Q", false),
        (
            "Bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            false,
        ),
        (
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hp",
            false,
        ),
        (
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpma",
            false,
        ),
        (
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpn",
            false,
        ),
        ("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1\u{e9}", false),
        ("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR10", false),
        ("z QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n", false),
        (
            "fafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            false,
        ),
    ];

    #[test]
    fn cids() {
        table(Format::Cid, CID_CASES);
    }

    fn b32(data: &[u8]) -> String {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
        let mut out = String::from("b");
        let (mut bits, mut buf) = (0u32, 0u32);
        for &d in data {
            buf = (buf << 8) | u32::from(d);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(A[((buf >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    #[test]
    fn cid_links() {
        assert!(cid_link("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm").is_ok());
        assert!(cid_link("").is_err());
        assert!(cid_link("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hp").is_err());
        // identity-hash CIDs of n zero bytes (varint n = [n & 0x7f | 0x80, n >> 7]):
        // both `cid` strings and `$link`s allow at most 128 chars (lex-data 0.1's
        // MAX_CID_STRING_LENGTH).
        let link = |n: usize| {
            let mut bytes = vec![1u8, 0x55, 0, (n & 0x7f) as u8 | 0x80, (n >> 7) as u8];
            bytes.extend(std::iter::repeat_n(0u8, n));
            b32(&bytes)
        };
        let (fits, over) = (link(74), link(75));
        assert_eq!((fits.len(), over.len()), (128, 129));
        assert!(cid(&fits).is_ok() && cid(&over).is_err());
        assert!(cid_link(&fits).is_ok());
        assert!(cid_link(&over).is_err());
    }

    #[test]
    fn cid_varint_edge_cases() {
        // explicit version 0 varint decodes, but as a multibase string it is refused
        // (the reference: "Version 0 CID string must not include multibase prefix");
        // a non-minimal version 1 varint is fine
        assert_eq!(decode_cid_bytes(&[0, 0x70, 0x12, 0]), Ok(0));
        assert!(cid(&b32(&[0, 0x70, 0x12, 0])).is_err());
        assert!(decode_cid_bytes(&[0, 0x12, 1, 7]).is_err());
        assert!(decode_cid_bytes(&[0x81, 0x00, 0x71, 0x12, 0]).is_ok());
        assert!(decode_cid_bytes(&[2, 0x71, 0x12, 0]).is_err());
        assert!(decode_cid_bytes(&[0x12, 0x02, 1]).is_err());
        assert!(decode_cid_bytes(&[0x12, 0x01, 9]).is_ok());
        assert!(decode_cid_bytes(&[1, 0x71, 0x12]).is_err());
        assert!(decode_cid_bytes(&[1, 0x71, 0x12, 0x80]).is_err());
        // long varints: multiformats 13 reads any number of bytes (checked against
        // the reference at the string level, where 128 chars bound the length)
        for (fill, last) in [(0x80u8, 0u8), (0xff, 0x7f)] {
            for k in [6usize, 8, 20] {
                let mut v = vec![1u8];
                v.extend(std::iter::repeat_n(fill, k));
                v.extend([last, 0x12, 0]);
                assert!(decode_cid_bytes(&v).is_ok(), "{fill:x} x{k}");
                assert!(cid(&b32(&v)).is_ok(), "{fill:x} x{k}");
            }
        }
    }
}
