// Deterministic random helpers + edge-case pools shared by gen-inputs.mjs,
// make-vectors.mjs and model/check_models.mjs.

/** Seeded PRNG (mulberry32 over an FNV-1a hash of the seed). */
export function makeRng(seed) {
  let h = 2166136261 >>> 0
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0)
    h = Math.imul(h, 16777619) >>> 0
  }
  let a = h || 1
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const rng = {
    next,
    /** integer in [lo, hi] */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    /** pick with weights: [[w, value], ...] */
    weighted: (pairs) => {
      const total = pairs.reduce((s, [w]) => s + w, 0)
      let r = next() * total
      for (const [w, v] of pairs) {
        if ((r -= w) < 0) return v
      }
      return pairs[pairs.length - 1][1]
    },
  }
  return rng
}

export const pad = (n, w) => String(n).padStart(w, '0')

// ---------------------------------------------------------------------------
// Unicode edge cases: [string, note]. UTF-8 bytes / UTF-16 units / graphemes
// differ a lot between these.
// ---------------------------------------------------------------------------
export const UNICODE_PIECES = [
  'a',
  'Z',
  ' ',
  'é', // U+00E9: 2 UTF-8 bytes, 1 grapheme
  'e\u0301', // e + combining acute: 1 grapheme, 3 bytes
  'e\u0301\u0302\u0303', // stacked combining marks: 1 grapheme
  '\u1100\u1161\u11a8', // Hangul L V T jamo: 1 grapheme, 9 bytes
  '한', // precomposed Hangul syllable: 3 bytes
  '\u1100\u1100\u1161', // L L V: 1 grapheme
  '😀', // astral: 4 bytes, 2 UTF-16 units
  '👍🏽', // emoji + skin tone modifier: 1 grapheme, 8 bytes
  '👨\u200d👩\u200d👧\u200d👦', // ZWJ family: 1 grapheme, 25 bytes
  '🏳️\u200d🌈', // rainbow flag (ZWJ + VS16)
  '🇺🇸', // regional-indicator pair (flag): 1 grapheme, 8 bytes
  '🇺🇸🇫', // flag + dangling regional indicator: 2 graphemes
  '\r\n', // CRLF: 1 grapheme
  '\n',
  '\u200d', // lone ZWJ
  '\ufe0f', // lone variation selector
  '\u0915\u094d\u0937', // Devanagari conjunct (GB9c): 1 grapheme
  '中',
  '\u0000',
  '\u00ad', // soft hyphen
  '\ud800', // lone high surrogate (valid in JSON/JS!)
  '\udc00', // lone low surrogate
  '\uffff',
  '\u{10ffff}',
]

export function randomText(rng, maxPieces) {
  const n = rng.int(0, maxPieces)
  let s = ''
  for (let i = 0; i < n; i++) {
    s += rng.chance(0.5) ? rng.pick('abcdefghijklmnopqrstuvwxyz0123456789 .-'.split('')) : rng.pick(UNICODE_PIECES)
  }
  return s
}

// ---------------------------------------------------------------------------
// Format-string seeds (valid and near-valid) per lexicon string format.
// ---------------------------------------------------------------------------
export const FORMAT_SEEDS = {
  did: [
    'did:plc:4qsyxmnsblo4luuycm3572bq',
    'did:web:example.com',
    'did:web:localhost%3A3000',
    'did:method:val:two',
    'did:m:v',
    'did:m:-',
    'did:plc:',
    'did:PLC:abc',
    'did:plc:abc:',
    'did:plc:abc%',
    'did:plc:a%zz',
    'did:plc:abc#frag',
    'did:plc:abc?q',
    'did:plc:ab c',
    'DID:plc:abc',
    'did:1plc:abc',
    'did::abc',
    'did:plc',
    'did:plc:ab\u00e9',
  ],
  handle: [
    'alice.bsky.social',
    'a.co',
    'xn--ls8h.test',
    'john.test',
    'ALICE.BSKY.SOCIAL',
    '4chan.org',
    'a.b.c.d.e.f',
    'alice',
    'alice.',
    '.alice.com',
    'alice..com',
    '-alice.com',
    'alice-.com',
    'alice.1com',
    'alice.com-',
    'al_ice.com',
    'alice.local',
    'alice.onion',
    'alice.bsky.social ',
    'a'.repeat(63) + '.com',
    'a'.repeat(64) + '.com',
    ('a'.repeat(63) + '.').repeat(3) + 'a'.repeat(61),
    ('a'.repeat(63) + '.').repeat(3) + 'a'.repeat(62),
    'ali\u00e9.com',
  ],
  nsid: [
    'app.bsky.feed.post',
    'com.example.fooBar',
    'com.example.foo-bar',
    'com.example.f00',
    'com.example.9foo',
    'com.example',
    'com..example.foo',
    '1com.example.foo',
    'com.1example.foo',
    'com.example.foo.',
    'a.b.c',
    'a.b',
    'com.exa_mple.foo',
    'com.example.*',
    'com.example.fooBar#main',
    'com.' + 'a'.repeat(63) + '.foo',
    'com.' + 'a'.repeat(64) + '.foo',
    'com.example.' + 'a'.repeat(63),
    'com.example.' + 'a'.repeat(64),
    'com.-example.foo',
    'com.example-.foo',
  ],
  'at-uri': [
    'at://did:plc:4qsyxmnsblo4luuycm3572bq/app.bsky.feed.post/3k2yihcrp6f2c',
    'at://did:plc:4qsyxmnsblo4luuycm3572bq',
    'at://alice.bsky.social/app.bsky.feed.post',
    'at://alice.bsky.social/app.bsky.feed.post/',
    'at://alice.bsky.social/app.bsky.feed.post/abc/def',
    'at://alice.bsky.social/app.bsky.feed.post/abc#/frag',
    'at://alice.bsky.social/app.bsky.feed.post/abc#frag',
    'at://alice.bsky.social/app.bsky.feed.post/abc#/%E2%82%AC',
    'at://alice.bsky.social/app.bsky.feed.post/abc#/%FF',
    'at://alice.bsky.social/app.bsky.feed.post/abc?q=1',
    'at://alice.bsky.social/app.bsky.feed.post/..',
    'at://alice.bsky.social/app.bsky.feed.post/a b',
    'at://alice.bsky.social/notansid/abc',
    'at://alice/app.bsky.feed.post/abc',
    'at://did:plc:abc/app.bsky.feed.post/abc',
    'at://did:plc:abc:/app.bsky.feed.post/abc',
    'at://ALICE.bsky.social',
    'at://alice.bsky.social//app.bsky.feed.post',
    'at:/alice.bsky.social',
    'https://alice.bsky.social',
    'at://alice.bsky.social/app.bsky.feed.post/\u00e9',
    'at://',
  ],
  cid: [
    'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy',
    'QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ffkw',
    'zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7',
    'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hp',
    'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpmm',
    'BAFYREIE5737GDXLW5I64VZICHCALBA3Z2V5N6ICIFVX5XYTVSKE7MR3HPM',
    'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm===',
    'QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ffk',
    'QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ffkw0',
    'zQmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ffkw',
    'bafy',
    'b',
    '',
    'k2jmtxrxvv0n4jf4tihn5tbqjbilcqbmilrdqgzxlihgl0g8l8xt2xtu',
    'bagaaierasords4njcts6vs7qvdjfcvgnume4hqohf65zsfguprqphs3icwea',
    'f01711220a0c2ceb2a5d4adcff85e6ef9fab73a8ab2c3b2aa49b7dd1fc3a3e6d1478d64',
    'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hp\u0100',
    'QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ff\u0100w',
    ' bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    'bafkqaaa', // identity multihash, empty digest: valid
    'bafkqaaa======', // trailing '=' padding is stripped by the base32 decoder
    'bqeafkeqba4', // non-minimal varint for the version (0x81 0x00 = 1): valid
    'bajkreaih', // CID version 2
    'bafkreaihbe', // one trailing byte after the digest
    'bciqaobyha4dqobyha4dqobyha4dqobyha4dqobyha4dqobyha4dqoby', // CIDv0 bytes with a multibase prefix
    'bafyrgqabaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqc', // sha512 (110 chars)
  ],
  language: [
    'en',
    'en-US',
    'pt-BR',
    'zh-Hant-TW',
    'i-klingon',
    'x-private',
    'en-GB-oed',
    'sgn-BE-FR',
    'de-DE-1996',
    'de-1996-1996',
    'en-a-bbb-a-ccc',
    'JA',
    'jaja',
    'e',
    'english',
    'abcdefghi',
    'en_US',
    'en-',
    '-en',
    'en-US-x-a-b',
    'zh-yue-HK',
    'en-Latn-US-valencia-u-ca-gregory',
    'qaa-Qaaa-QM-x-southern',
    '123',
    'en-12',
    'en-123',
  ],
  tid: [
    '3k2yihcrp6f2c',
    '2222222222222',
    'jzzzzzzzzzzzz',
    'kzzzzzzzzzzzz',
    '3k2yihcrp6f2',
    '3k2yihcrp6f2cc',
    '3K2YIHCRP6F2C',
    '3k2yihcrp6f21',
    '3k2yihcrp6f2-',
    '1111111111111',
  ],
  'record-key': [
    'self',
    '3k2yihcrp6f2c',
    'a',
    '.',
    '..',
    '...',
    'a.b',
    'a:b',
    'a~b_c-d',
    'a/b',
    'a b',
    'a#b',
    'a%20b',
    '',
    'x'.repeat(512),
    'x'.repeat(513),
    'caf\u00e9',
  ],
  uri: [
    'https://example.com',
    'https://example.com/path?q=1#frag',
    'http://localhost:3000',
    'mailto:alice@example.com',
    'at://did:plc:abc/app.bsky.feed.post/abc',
    'did:plc:abc',
    'a:b',
    'a:/b',
    'a://b',
    'a:///b',
    'a://',
    'https:',
    'https://',
    'https:// example.com',
    'https://exa mple.com',
    'example.com',
    '://example.com',
    '_:x',
    'h\u00e9:x',
    'https://ex\u00e9mple.com/\u{1F600}',
    'https://example.com\n',
    'https://example.com\u00a0',
    'https://example.com\u2028x',
    '1:x',
    'x',
  ],
  'at-identifier': [
    'alice.bsky.social',
    'did:plc:4qsyxmnsblo4luuycm3572bq',
    'did:plc:',
    'alice',
    'did:web:alice.com',
    'DID:plc:abc',
    'did.example.com',
    '',
  ],
}

/** Random datetime-ish strings (valid ones and near misses). */
export function randomDatetime(rng) {
  const y = rng.weighted([
    [6, () => pad(rng.int(1970, 2030), 4)],
    [1, () => '0000'],
    [1, () => '9999'],
    [1, () => pad(rng.int(0, 9999), 4)],
  ])()
  const mo = rng.weighted([
    [8, () => pad(rng.int(1, 12), 2)],
    [1, () => rng.pick(['00', '13', '1', '02'])],
  ])()
  const d = rng.weighted([
    [6, () => pad(rng.int(1, 28), 2)],
    [2, () => rng.pick(['29', '30', '31'])],
    [1, () => rng.pick(['00', '32', '1'])],
  ])()
  const h = rng.weighted([
    [8, () => pad(rng.int(0, 23), 2)],
    [1, () => rng.pick(['24', '25', '1'])],
  ])()
  const mi = rng.weighted([
    [8, () => pad(rng.int(0, 59), 2)],
    [1, () => '60'],
  ])()
  const s = rng.weighted([
    [8, () => pad(rng.int(0, 59), 2)],
    [1, () => '60'],
    [1, () => '61'],
  ])()
  const frac = rng.weighted([
    [4, () => ''],
    [4, () => '.' + '1234567890123'.slice(0, rng.int(1, 12))],
    [1, () => rng.pick(['.', ',5', '.5.5'])],
  ])()
  const tz = rng.weighted([
    [5, () => 'Z'],
    [2, () => ''],
    [1, () => 'z'],
    [3, () => `${rng.pick(['+', '-'])}${pad(rng.int(0, 14), 2)}:${rng.pick(['00', '30', '45', '15', pad(rng.int(0, 59), 2)])}`],
    [1, () => rng.pick(['-00:00', '+00:00', '+0100', '+01', '+24:00', '-23:59', '+23:59', '-12:00', '+14:00'])],
  ])()
  const sepStyle = rng.weighted([
    [10, () => ['-', ':', 'T']],
    [1, () => ['', '', 'T']],
    [1, () => [rng.pick(DT_JUNK), rng.pick(DT_JUNK), 'T']],
    [1, () => ['-', ':', rng.pick(['t', ' ', '_'])]],
  ])()
  const [ds, ts, T] = sepStyle
  const withSec = rng.chance(0.95)
  let str = `${y}${ds}${mo}${ds}${d}${T}${h}${ts}${mi}${withSec ? ts + s : ''}${frac}${tz}`
  const muts = rng.weighted([
    [6, 0],
    [3, 1],
    [1, 2],
  ])
  for (let i = 0; i < muts; i++) str = mutateChars(rng, str, DT_JUNK)
  return str
}

export const DT_JUNK = [
  '0', '1', '2', '3', '5', '9', '-', ':', '.', 'T', 't', 'Z', 'z', '+', ' ', '/', '|', '^', '$', '{',
  '}', ']', '\\', '*', '(', '?', 'x', ',', '\u00e9', '\u{1F600}', '\n', '\u2028', '\u0661',
]

/** One random character-level mutation (replace / insert / delete / truncate / append). */
export function mutateChars(rng, s, pool) {
  const units = [...s]
  const i = rng.int(0, Math.max(0, units.length - 1))
  switch (rng.int(0, 4)) {
    case 0:
      if (units.length) units[i] = rng.pick(pool)
      break
    case 1:
      units.splice(rng.int(0, units.length), 0, rng.pick(pool))
      break
    case 2:
      units.splice(i, 1)
      break
    case 3:
      units.length = rng.int(0, units.length)
      break
    case 4:
      units.push(rng.pick(pool))
      break
  }
  return units.join('')
}

export function datetimeCandidates(rng, n) {
  const out = []
  for (let i = 0; i < n; i++) out.push(randomDatetime(rng))
  return out
}
