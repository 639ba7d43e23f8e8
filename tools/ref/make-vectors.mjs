#!/usr/bin/env node
// Regenerates tests/fixtures/vectors/*.jsonl. The `valid` (and `error`)
// fields are ALWAYS computed by running the reference (@atproto/lexicon) on
// `input`; the case tables below only choose inputs and write notes.
//
//   node tools/ref/make-vectors.mjs            # (re)write all files
//   node tools/ref/make-vectors.mjs --check    # verify files are up to date
//
// Vector line format (one JSON object per line):
//   lexicons  fixture set under tests/fixtures/vectors/lexicons/, or "main"
//             (= the repo's lexicons/ directory)
//   def       NSID[#name] as passed to `lex validate --def`
//   value     the input as JSON — omitted when it does not survive a strict
//             JSON parser + re-serialisation unchanged (lone surrogates,
//             duplicate keys, -0, huge/precise numbers, __proto__, non-JSON,
//             nesting deeper than 64)
//   valid     reference verdict
//   note      why the case exists / what it exercises
//   error     reference message (only when invalid; informative only)
//   input     the exact JSON text fed to the validator (authoritative)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadLexicons, makeValidator, verdictForText } from './lib.mjs'
import { FORMAT_SEEDS, makeRng, randomDatetime } from './gen-lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const vecDir = join(root, 'tests', 'fixtures', 'vectors')
const setDir = (set) => (set === 'main' ? join(root, 'lexicons') : join(vecDir, 'lexicons', set))

const files = new Map() // file -> [{set, def, input, note}]
function add(file, set, def, input, note) {
  if (!files.has(file)) files.set(file, [])
  files.get(file).push({ set, def, input, note })
}
/** value given as a JS value (serialised with JSON.stringify) */
const V = (file, set, def) => (value, note) => add(file, set, def, JSON.stringify(value), note)
/** value given as exact JSON text */
const R = (file, set, def) => (text, note) => add(file, set, def, text, note)

const LINK = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'
const LINK_CBOR = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const CIDV0 = 'QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ffkw'
const blob = (o = {}) => ({ $type: 'blob', ref: { $link: LINK }, mimeType: 'image/png', size: 100, ...o })

// =========================================================================
// strings.jsonl — length (UTF-8 bytes) vs graphemes, enum/const/knownValues/default
// =========================================================================
{
  const S = 'io.placehook.test.strings'
  const f = 'strings.jsonl'
  let t = V(f, 'strings', `${S}#len`)
  t({ v: 'a' }, 'minLength 2 (UTF-8 bytes): 1 byte -> invalid')
  t({ v: 'ab' }, 'minLength 2: exactly 2 bytes')
  t({ v: 'abcdef' }, 'maxLength 6: exactly 6 bytes')
  t({ v: 'abcdefg' }, 'maxLength 6: 7 bytes')
  t({ v: 'é' }, 'é is 1 UTF-16 unit but 2 UTF-8 bytes -> meets minLength 2')
  t({ v: 'ééé' }, '3 x é = 6 bytes: at maxLength')
  t({ v: 'éééé' }, '4 x é = 8 bytes > 6 although only 4 chars')
  t({ v: '😀' }, 'astral emoji: 4 UTF-8 bytes (2 UTF-16 units)')
  t({ v: '😀😀' }, '8 bytes > 6')
  t({ v: '中中' }, 'CJK: 3 bytes each = 6')
  t({ v: '中中中' }, '9 bytes > 6')
  t({ v: 'e\u0301' }, 'e + combining acute = 3 bytes')
  t({ v: '' }, 'empty string < minLength 2')
  t({ v: 5 }, 'number is not a string')
  t({ v: null }, 'null is not a string (not nullable)')
  t({}, 'required property missing')
  t({ v: ['ab'] }, 'array is not a string')
  R(f, 'strings', `${S}#len`)('{"v":"\\ud800"}', 'lone high surrogate (legal in JSON/JS): counts as 3 UTF-8 bytes (U+FFFD)')
  R(f, 'strings', `${S}#len`)('{"v":"\\ud800\\ud800\\ud800"}', '3 lone surrogates = 9 bytes > 6')
  R(f, 'strings', `${S}#len`)('{"v":"\\ud83d\\ude00"}', 'escaped surrogate PAIR = one astral char = 4 bytes')
  R(f, 'strings', `${S}#len`)('{"v":"\\udc00\\ud800"}', 'reversed pair = two lone surrogates = 6 bytes')
  R(f, 'strings', `${S}#len`)('{"v":"a\\u0000"}', 'escaped NUL is a normal char (1 byte)')

  t = V(f, 'strings', `${S}#maxLen`)
  t({ v: 'abcdef' }, 'maxLength only (fast path when len*3 <= max): 6 bytes')
  t({ v: 'abcdefg' }, '7 bytes')
  t({ v: 'ab' }, '2 bytes')
  t({ v: '中中' }, '6 bytes')
  t({ v: '中中a' }, '7 bytes')
  t({ v: '' }, 'empty')
  t = V(f, 'strings', `${S}#minLen`)
  t({ v: 'ab' }, 'minLength 3: 2 bytes')
  t({ v: 'é' }, '2 bytes < 3 (1 char)')
  t({ v: '中' }, '3 bytes from 1 char')
  t({ v: '😀' }, '4 bytes from 1 astral char')
  t({ v: 'abc' }, 'exactly 3')
  t = V(f, 'strings', `${S}#maxLen0`)
  t({ v: '' }, 'maxLength 0: empty ok')
  t({ v: 'a' }, 'maxLength 0: any char too long')
  t({ v: '\u200b' }, 'zero-width space is 3 bytes')

  t = V(f, 'strings', `${S}#graph`)
  t({ v: 'a' }, 'minGraphemes 2: 1 grapheme')
  t({ v: 'ab' }, '2 graphemes')
  t({ v: 'abcd' }, 'maxGraphemes 4: 4')
  t({ v: 'abcde' }, '5 graphemes')
  t({ v: '👨‍👩‍👧‍👦👨‍👩‍👧‍👦' }, 'two ZWJ family emoji = 2 graphemes (22 UTF-16 units)')
  t({ v: '👨‍👩‍👧‍👦' }, 'one ZWJ family emoji = 1 grapheme < 2')
  t({ v: '🇺🇸🇫' }, 'flag + dangling regional indicator = 2 graphemes')
  t({ v: '🇺🇸🇺🇸🇺🇸🇺🇸🇺🇸' }, '5 flags = 5 graphemes')
  t({ v: '🇺🇸🇺🇸🇺🇸🇺🇸' }, '4 flags = 4 graphemes')
  t({ v: '🇺🇸🇺🇸🇺🇸🇺' }, '3 flags + 1 lone regional indicator = 4 graphemes')
  t({ v: 'e\u0301e\u0301' }, 'combining marks join the previous char: 2 graphemes')
  t({ v: 'e\u0301\u0302\u0303\u0304\u0305' }, 'many stacked marks: still 1 grapheme')
  t({ v: '\u1100\u1161\u11a8\u1100\u1161\u11a8' }, 'Hangul L V T jamo sequences: 2 graphemes')
  t({ v: '\u1100\u1100\u1100\u1161\u11a8' }, 'Hangul L L L V T: 1 grapheme')
  t({ v: '한국어입니다' }, 'precomposed Hangul syllables: 6 graphemes')
  t({ v: '\r\n\r\n' }, 'CRLF is one grapheme: 2')
  t({ v: '\n\r' }, 'LF CR is two graphemes')
  t({ v: '😀' }, 'one astral emoji: 1 grapheme')
  t({ v: '👍🏽👍🏽' }, 'emoji + skin tone: 2 graphemes')
  t({ v: 'क्षक्ष' }, 'Devanagari conjuncts (GB9c, Unicode 15.1+): 2 graphemes')
  t({ v: 'a\u200db' }, 'ZWJ between letters: ZWJ is Extend -> "a\u200d" + "b" = 2')
  t({ v: '\u200d\u200d' }, 'two lone ZWJ: 1 grapheme (Extend after Extend joins)')
  t({ v: '\u0301\u0301' }, 'leading combining marks: 1 grapheme')
  R(f, 'strings', `${S}#graph`)('{"v":"\\ud800\\u0301"}', 'lone surrogate + combining mark = 1 grapheme (ICU treats lone surrogate like U+FFFD)')
  R(f, 'strings', `${S}#graph`)('{"v":"\\ud800\\ud800"}', 'two lone surrogates = 2 graphemes')
  R(f, 'strings', `${S}#graph`)('{"v":"\\ud800\\ud800\\ud800\\ud800\\ud800"}', 'five lone surrogates = 5 graphemes')

  t = V(f, 'strings', `${S}#maxGraph`)
  t({ v: 'abc' }, 'maxGraphemes 3')
  t({ v: 'abcd' }, '4 > 3')
  t({ v: '👍🏽👍🏽👍🏽' }, '12 UTF-16 units but 3 graphemes')
  t({ v: '👍🏽👍🏽👍🏽👍🏽' }, '4 graphemes')
  t({ v: 'क्षक्षक्ष' }, '3 conjuncts (9 UTF-16 units)')
  t({ v: '🏳️‍🌈🏳️‍🌈🏳️‍🌈' }, 'rainbow flags (ZWJ + VS16): 3 graphemes')
  t({ v: '🏳️‍🌈🏳️‍🌈🏳️‍🌈a' }, '4 graphemes')
  t({ v: 'e\u0301\u0301\u0301\u0301\u0301\u0301x' }, 'many marks: 2 graphemes (fast path off: 8 units > 3)')
  t({ v: '\u0915\u094d\u0937\u094d\u0915\u094d\u0937' }, 'chained conjunct (GB9c): 1 grapheme')
  t({ v: '\u0915\u094d\u200d\u0937a\u0301bc' }, 'conjunct with ZWJ (GB9c allows ZWJ) + a+mark + b + c = 4 graphemes')
  t({ v: '\u1100\u1161\u11a8\u11a8\u11a8\u1100\u1161' }, 'L V T T T | L V = 2 graphemes')
  t({ v: '\u{1F1E6}\u{1F1E6}\u{1F1E6}\u{1F1E6}\u{1F1E6}\u{1F1E6}\u{1F1E6}' }, '7 regional indicators = 4 graphemes (pairs)')
  t({ v: '\u{1F1E6}\u{1F1E6}\u{1F1E6}\u{1F1E6}\u{1F1E6}' }, '5 regional indicators = 3 graphemes')
  t({ v: 'a\u{E0100}b\u{E0100}c' }, 'variation selectors supplement (Extend): 3 graphemes')
  t({ v: '\u0600abc' }, 'Prepend char (Arabic number sign) joins next: 3 graphemes')
  t = V(f, 'strings', `${S}#minGraph`)
  t({ v: 'ab' }, 'minGraphemes 3: 2')
  t({ v: '👨‍👩‍👧‍👦' }, 'long in UTF-16 (11 units) but 1 grapheme')
  t({ v: 'abc' }, '3')
  t({ v: '😀😀😀' }, '3 emoji')
  t = V(f, 'strings', `${S}#lenAndGraph`)
  t({ v: 'abc' }, 'maxLength 12 bytes + maxGraphemes 3')
  t({ v: '😀😀😀' }, '12 bytes, 3 graphemes: both at limit')
  t({ v: '😀😀😀a' }, '13 bytes: length checked first')
  t({ v: '👨‍👩‍👧‍👦' }, '1 grapheme but 25 bytes > 12: fails length')
  t({ v: 'abcd' }, '4 bytes ok, 4 graphemes > 3')

  t = V(f, 'strings', `${S}#enum`)
  t({ v: 'a' }, 'enum member')
  t({ v: 'é' }, 'enum member (NFC é)')
  t({ v: 'e\u0301' }, 'NFD é is NOT equal (no normalisation)')
  t({ v: 'A' }, 'case-sensitive')
  t({ v: '' }, 'empty not in enum')
  t({ v: 1 }, 'not a string')
  t = V(f, 'strings', `${S}#const`)
  t({ v: 'fixed' }, 'const match')
  t({ v: 'Fixed' }, 'const mismatch (case)')
  t({ v: 'fixed ' }, 'const mismatch (trailing space)')
  t = V(f, 'strings', `${S}#constAndEnum`)
  t({ v: 'a' }, 'const "a" passes, then enum ["b"] fails')
  t({ v: 'b' }, 'const fails first')
  t = V(f, 'strings', `${S}#known`)
  t({ v: 'x' }, 'knownValues member')
  t({ v: 'zzz' }, 'knownValues are NOT enforced')
  t({ v: 'toolong' }, 'but maxLength 5 still is')
  t = V(f, 'strings', `${S}#dflt`)
  t({}, 'missing optional prop with default: default applied, NOT validated (default "toolong" > maxLength 3)')
  t({ v: 'toolong' }, 'explicit value is validated')
  t({ v: 'ok' }, 'explicit short value')
  t({ v: null }, 'null is not "missing": must be a string')
  t = V(f, 'strings', `${S}#dfltRequired`)
  t({}, 'REQUIRED prop with a default may be omitted (default fills it)')
  t({ v: 'x' }, 'explicit value')
  t({ v: null }, 'null is not missing')
  t = V(f, 'strings', `${S}#hashEnum`)
  t({ v: '#foo' }, 'enum ["#foo"] is rewritten at load time to "lex:<nsid>#foo": "#foo" no longer matches!')
  t({ v: 'lex:io.placehook.test.strings#foo' }, 'the rewritten value matches')
  t({ v: 'bar' }, 'plain enum member')
  t = V(f, 'strings', `${S}#hashKnown`)
  t({ v: '#fo' }, 'knownValues (also rewritten) not enforced; maxLength 3')
  t = V(f, 'strings', `${S}#hashConst`)
  t({ v: '#foo' }, 'const is a string, not an array: NOT rewritten')
  t({ v: 'lex:io.placehook.test.strings#foo' }, 'const not rewritten, so this fails')
  t = V(f, 'strings', `${S}#optional`)
  t({}, 'optional missing')
  t({ v: '' }, 'optional empty string')
  t({ v: null }, 'null for non-nullable optional prop is invalid')
  t({ v: 'x', extra: 1, $type: 'whatever' }, 'unknown fields and $type are ignored on plain objects')
  t = V(f, 'strings', `${S}#str`)
  t('abc', 'non-object named def (string) validated like a ref to it: maxLength 3')
  t('abcd', 'too long')
  t(1, 'not a string')
  t(null, 'null')
  t({}, 'object')
  t = V(f, 'strings', `${S}#strFmt`)
  t('alice.test', 'named string def with format handle')
  t('alice', 'not a handle')
  t = V(f, 'strings', `${S}#fmtAndLen`)
  t({ v: 'did:plc:abcd' }, 'did format + maxLength 12: ok')
  t({ v: 'did:plc:abcdefgh' }, 'length checked before format')
  t({ v: 'did:plc:' }, 'format fails (ends with ":")')
  t = V(f, 'strings', `${S}#len`)
  t('ab', 'object def given a bare string')
  t([], 'object def given an array: arrays count as objects, then "v" is missing')
}

// =========================================================================
// formats.jsonl — every string format
// =========================================================================
{
  const S = 'io.placehook.test.strings'
  const f = 'formats.jsonl'
  const fmtDef = (fmt) => `${S}#fmt_${fmt.replace(/-/g, '_')}`
  for (const [fmt, seeds] of Object.entries(FORMAT_SEEDS)) {
    const t = V(f, 'strings', fmtDef(fmt))
    for (const s of seeds) t({ v: s }, `format ${fmt}: ${JSON.stringify(s).slice(0, 60)}`)
    t({ v: 1 }, `format ${fmt}: non-string`)
  }
  // extra cases
  let t = V(f, 'strings', fmtDef('did'))
  t({ v: 'did:plc:' + 'a'.repeat(2040) }, 'did: 2048 chars total (max)')
  t({ v: 'did:plc:' + 'a'.repeat(2041) }, 'did: 2049 chars > 2048')
  t({ v: 'did:a:b.c_d-e:f%41' }, 'did: allowed punctuation')
  t = V(f, 'strings', fmtDef('handle'))
  t({ v: 'a'.repeat(63) + '.' + 'b'.repeat(63) + '.' + 'c'.repeat(63) + '.' + 'd'.repeat(61) }, 'handle: 253 chars (max)')
  t({ v: 'a.b-c.d' }, 'handle: hyphen inside label')
  t({ v: 'a.b' }, 'handle: shortest 2-label')
  t({ v: 'a.b1' }, 'handle: TLD may end with digit')
  t = V(f, 'strings', fmtDef('at-identifier'))
  t({ v: 'did:plc:abc' }, 'at-identifier: did branch')
  t({ v: 'did:plc' }, 'at-identifier: starts with "did:" so must be a DID (not a handle)')
  t({ v: 'did.plc' }, 'at-identifier: "did.plc" is a handle')
  t = V(f, 'strings', fmtDef('nsid'))
  t({ v: 'a.b.c'.repeat(1) }, 'nsid: shortest (5 chars)')
  t({ v: 'com.example.fooBar'.replace('fooBar', 'a1') }, 'nsid: name with digit')
  t({ v: 'com.' + ('a'.repeat(63) + '.').repeat(3) + 'a'.repeat(60) + '.foo' }, 'nsid: > 317 chars')
  t = V(f, 'strings', fmtDef('uri'))
  t({ v: 'https://example.com/' + 'a'.repeat(10000) }, 'uri: no length limit')
  t({ v: 'git+ssh://example.com' }, 'uri: scheme must be \\w+ (no "+")')
  t({ v: 'a_b:c' }, 'uri: underscore is \\w')
  t({ v: 'http://a' }, 'uri: minimal')
  t({ v: 'http:/a' }, 'uri: single slash ok')
  t({ v: 'http://\u00a0x' }, 'uri: NBSP is \\s in JS')
  t({ v: 'http://x\ufeff' }, 'uri: U+FEFF is \\s in JS')
  t({ v: 'http://x\u0085' }, 'uri: U+0085 (NEL) is NOT \\s in JS')
  t({ v: 'http://x\u180e' }, 'uri: U+180E is NOT \\s in JS (since ES2016)')
  t({ v: 'http://x\u3000' }, 'uri: ideographic space is \\s')
  t({ v: 'http://x\u200b' }, 'uri: zero-width space is not \\s')
  t = V(f, 'strings', fmtDef('cid'))
  t({ v: 'b' + 'a'.repeat(127) }, 'cid: 128 chars, not a CID')
  t({ v: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpmaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, 'cid: > 128 chars rejected up front')
  t({ v: LINK_CBOR.toUpperCase().replace(/^B/, 'b') }, 'cid: base32 body must be lowercase')
  t = V(f, 'strings', fmtDef('language'))
  t({ v: 'en-US-u-ca-gregory-x-foo' }, 'language: extension + private use')
  t({ v: 'en-a-aa-b-bb' }, 'language: two extensions')
  t({ v: 'en-x' }, 'language: private use needs a subtag')
  t({ v: 'x-a' }, 'language: private-use only tag')
  t({ v: 'art-lojban' }, 'language: grandfathered')
  t({ v: 'EN-us' }, 'language: case-insensitive regex')
  t = V(f, 'strings', fmtDef('tid'))
  t({ v: 'bzzzzzzzzzzzz' }, 'tid: first char b ok')
  t({ v: '7zzzzzzzzzzzz' }, 'tid: first char 7 ok')
  t = V(f, 'strings', fmtDef('record-key'))
  t({ v: '~' }, 'record-key: tilde alone')
  t({ v: '-' }, 'record-key: dash alone')
  t({ v: 'literal:self' }, 'record-key: colon allowed')
  t = V(f, 'lenient', 'io.placehook.test.lenient#fmt_unknown')
  t({ v: 'not an email' }, 'unknown format name ("email"): format ignored')
}

// =========================================================================
// datetime.jsonl
// =========================================================================
{
  const f = 'datetime.jsonl'
  const t = V(f, 'strings', 'io.placehook.test.strings#fmt_datetime')
  const curated = [
    ['2024-01-01T00:00:00Z', 'canonical'],
    ['2024-01-01T00:00:00.000Z', 'millis'],
    ['2024-01-01T00:00:00.123456789Z', '9 fraction digits'],
    ['2024-01-01T00:00:00.1234567891Z', '10 fraction digits (only the strict path accepts)'],
    ['2024-01-01T00:00:00.Z', 'empty fraction'],
    ['2024-01-00T00:00:00Z', 'day 00'],
    ['2024-00-01T00:00:00Z', 'month 00'],
    ['2024-13-01T00:00:00Z', 'month 13'],
    ['2024-01-32T00:00:00Z', 'day 32'],
    ['2023-02-29T00:00:00Z', 'Feb 29 in a non-leap year: strict path accepts (V8 Date rolls over to Mar 1)'],
    ['2023-02-31T00:00:00Z', 'Feb 31: accepted (rolls over)'],
    ['2023-04-31T00:00:00Z', 'Apr 31: accepted (rolls over)'],
    ['2023-02-29T00:00:00', 'Feb 29 non-leap, no timezone: ISO path rejects, strict path needs tz -> invalid'],
    ['2024-02-29T00:00:00', 'Feb 29 leap year, no timezone: ISO path accepts'],
    ['1900-02-29T00:00:00', '1900 is not leap: ISO path rejects'],
    ['2000-02-29T00:00:00', '2000 is leap'],
    ['2024-01-01T00:00:00', 'no timezone: accepted (ISO path)'],
    ['2024-01-01t00:00:00Z', 'lowercase t'],
    ['2024-01-01T00:00:00z', 'lowercase z'],
    ['2024-01-01 00:00:00Z', 'space instead of T'],
    ['2024-01-01T00:00:00-00:00', '-00:00 rejected by both paths'],
    ['2024-01-01T00:00:00+00:00', '+00:00 ok'],
    ['2024-01-01T00:00:00+01:17', 'odd offset: strict path ok'],
    ['2024-01-01T00:00:00+0100', 'offset without colon: ISO path ok'],
    ['2024-01-01T00:00:00+01', 'hour-only offset'],
    ['2024-01-01T00:00:00+24:00', 'offset hour 24'],
    ['2024-01-01T00:00:00+23:59', 'max strict offset'],
    ['2024-01-01T23:59:60Z', 'leap second: ISO path accepts :60'],
    ['2024-01-01T23:59:61Z', ':61 — ISO path reads ":61" as a fraction with separator ":"!'],
    ['2024-01-01T24:00:00Z', 'hour 24 (ISO path allows 24:00)'],
    ['2024-01-01T24:00:59Z', 'hour 24 with non-zero seconds: still accepted'],
    ['2024-01-01T24:01:00Z', '24:01 rejected'],
    ['2024-01-01T25:00:00Z', 'hour 25'],
    ['2024-01-01T10:60:00Z', 'minute 60'],
    ['0000-01-01T00:00:00Z', 'year 0000'],
    ['0000-01-01T00:00:00+01:00', 'year 0000 shifted to year -1 by offset: strict rejects, ISO accepts'],
    ['0000-01-01T00:00:00+01:17', 'year -1 via odd offset: both reject'],
    ['9999-12-31T23:59:59Z', 'year 9999'],
    ['9999-12-31T23:59:59-01:17', 'year 10000 after offset: both reject'],
    ['20240101T000000Z', 'basic format (no separators): ISO path'],
    ['20240101T0000Z', 'basic format without seconds'],
    ['2024-01-01T10:20', 'no seconds, extended format: rejected'],
    ['2024-01-01T1020', 'no seconds, basic time: accepted'],
    ['2024/01/01T10:20:30Z', 'any non-digit date separator works in the ISO path'],
    ['2024.01x01T10:20:30Z', 'separator "." is a regex wildcard'],
    ['2024|xx|15T10:20:30Z', 'separator "|" becomes regex alternation'],
    ['2024$01$01T10:20:30Z', 'separator "$" is an anchor: never matches'],
    ['2024*01*01T10:20:30Z', 'separator "*": invalid RegExp -> false'],
    ['2024-01-01T10.20.30Z', 'time separator "."'],
    ['2024-01-01T10 20 30Z', 'time separator " "'],
    ['2024-01-01T10:20:30,5Z', 'fraction separator "," (any char)'],
    ['2024-01-01T10:20:30😀5Z', 'astral char as fraction separator: two UTF-16 units -> no match'],
    ['2024-01-01T10:20:30é5Z', 'BMP char as fraction separator'],
    ['2024-01-01T10:20:30Zjunk', 'trailing junk after Z'],
    ['2024-01-01T10:20:30TT', 'everything after a second "T" is ignored by the ISO path'],
    ['2024-01-01T10:20:30Tjunk', 'junk after a second T'],
    ['2024-01-01T10:20:30+05:45', 'Nepal offset'],
    ['2024-01-01T10:20:30-05:45', 'negative 05:45: strict path'],
    ['2024-01-01T10:20:30+01:00junk', 'junk after offset'],
    ['2024-01-01T10:20:30+01:00-02:00', 'second offset ignored by split()'],
    ['+2024-01-01T10:20:30Z', 'leading +'],
    ['2024-1-01T10:20:30Z', 'single-digit month'],
    ['12024-01-01T10:20:30Z', '5-digit year'],
    ['2024-01-01T10:20:30.123+01:00', 'fraction + offset'],
    ['2024-01-01T10:20:30.1234567890123456789012345678901234567890123Z', '64 chars: strict max'],
    ['2024-01-01T10:20:30.12345678901234567890123456789012345678901234Z', '65 chars: too long for strict, ISO fraction max 9'],
    ['2024-01-01T10:20:30Z\n', 'trailing newline'],
    [' 2024-01-01T10:20:30Z', 'leading space'],
    ['', 'empty'],
    ['T', 'only T'],
    ['2024-01-01', 'date only'],
    ['2024-01-01T', 'empty time'],
    ['2024-01-01T10:20:30\u2028', 'U+2028 after time'],
    ['2024-01-01T10:20:30.\u0661Z', 'Arabic-Indic digit is not [0-9]'],
  ]
  for (const [s, note] of curated) t({ v: s }, `datetime ${JSON.stringify(s)}: ${note}`)
  const rng = makeRng('datetime-vectors')
  const seen = new Set(curated.map(([s]) => s))
  let n = 0
  while (n < 400) {
    const s = randomDatetime(rng)
    if (seen.has(s)) continue
    seen.add(s)
    t({ v: s }, 'datetime: random near-valid (gen-lib randomDatetime)')
    n++
  }
}

// =========================================================================
// numbers.jsonl — integer / boolean
// =========================================================================
{
  const N = 'io.placehook.test.numbers'
  const f = 'numbers.jsonl'
  const r = (def) => R(f, 'numbers', `${N}#${def}`)
  let t = r('intRange')
  t('{"v":1}', 'minimum 1')
  t('{"v":10}', 'maximum 10')
  t('{"v":11}', '> maximum')
  t('{"v":0}', '< minimum')
  t('{"v":2.0}', '2.0 is an integer in JS (Number.isInteger)')
  t('{"v":2.5}', 'not an integer')
  t('{"v":1e1}', 'exponent form, integral')
  t('{"v":1E0}', 'capital E')
  t('{"v":0.1e2}', '0.1e2 = 10')
  t('{"v":10.000000000000001}', 'distinct double from 10: not integer')
  t('{"v":10.0000000000000001}', 'rounds to exactly 10.0: integer')
  t('{"v":"5"}', 'numeric string is not an integer')
  t('{"v":true}', 'boolean')
  t('{"v":null}', 'null')
  t('{"v":[5]}', 'array')
  t('{"v":{}}', 'object')
  t = r('int')
  t('{"v":-0}', 'negative zero is an integer')
  t('{"v":-0.0}', 'negative zero float form')
  t('{"v":1e300}', 'huge but integral double: valid')
  t('{"v":1e400}', 'overflows to Infinity: not an integer')
  t('{"v":-1e400}', '-Infinity')
  t('{"v":9007199254740993}', '2^53+1 parses to 2^53: integer')
  t('{"v":123456789012345678901234567890}', '30-digit integer: valid double')
  t('{"v":5e-324}', 'denormal: not integer')
  t('{"v":1e-400}', 'underflows to 0: integer!')
  t('{"v":-1}', 'negative')
  t = r('intBig')
  t('{"v":9007199254740992}', 'maximum 2^53')
  t('{"v":9007199254740993}', '2^53+1 rounds to 2^53: NOT greater than max (compare as doubles)')
  t('{"v":9007199254740994}', '2^53+2 > max')
  t = r('intNeg')
  t('{"v":-5}', 'negative min')
  t('{"v":-1}', 'negative max')
  t('{"v":0}', '> -1')
  t('{"v":-6}', '< -5')
  t = r('intZero')
  t('{"v":-0}', '-0 within [0,0]')
  t('{"v":0}', '0')
  t = r('intEnum')
  t('{"v":2}', 'enum member')
  t('{"v":2.0}', '2.0 === 2')
  t('{"v":4}', 'not in enum')
  t = r('intEnumZero')
  t('{"v":-0}', 'enum [0] includes -0 (SameValueZero)')
  t = r('intConst')
  t('{"v":7}', 'const')
  t('{"v":8}', 'const mismatch')
  t('{"v":7.0}', 'const with 7.0')
  t = r('intConstZero')
  t('{"v":-0}', 'const 0 vs -0 (=== is true)')
  t = r('intDefault')
  t('{}', 'missing -> default 50 applied, not checked against maximum 10')
  t('{"v":50}', 'explicit 50 > maximum')
  t('{"v":null}', 'null is not missing')
  t = r('intConstEnumRange')
  t('{"v":5}', 'const ok, enum ok, then minimum 6 fails: order const, enum, maximum, minimum')
  t('{"v":6}', 'const fails first')
  t = r('bool')
  t('{"v":true}', 'boolean')
  t('{"v":false}', 'boolean false')
  t('{"v":"true"}', 'string "true" is not a boolean')
  t('{"v":1}', '1 is not a boolean')
  t('{"v":null}', 'null')
  t('{}', 'missing required')
  t = r('boolConst')
  t('{"v":true}', 'const true')
  t('{"v":false}', 'const mismatch')
  t = r('boolDefault')
  t('{}', 'optional with default')
  t('{"v":false}', 'explicit')
  t('{"v":0}', 'not boolean')
  t = r('boolDefaultRequired')
  t('{}', 'REQUIRED boolean with default: may be omitted')
  t('{"v":null}', 'null is not omitted')
  t = r('int2')
  t('5', 'named integer def validated directly')
  t('-1', 'below minimum')
  t('"5"', 'string')
  t = r('bool2')
  t('true', 'named boolean def')
  t('null', 'null')
  t = R(f, 'lenient', 'io.placehook.test.lenient#intFloatBounds')
  t('{"v":1}', 'non-integer bounds (schema-invalid, still used): 1 < 1.5')
  t('{"v":2}', 'between 1.5 and 3.5')
  t('{"v":4}', '4 > 3.5')
}

// =========================================================================
// ipld.jsonl — bytes, cid-link, blob, unknown (after jsonToLex)
// =========================================================================
{
  const I = 'io.placehook.test.ipld'
  const f = 'ipld.jsonl'
  const r = (def) => R(f, 'ipld', `${I}#${def}`)
  let t = r('bytes')
  const b = (s) => `{"v":{"$bytes":${JSON.stringify(s)}}}`
  t(b(''), '$bytes "" = 0 bytes')
  t(b('AA=='), 'padded')
  t(b('AA'), 'unpadded ok')
  t(b('AA='), 'half padding ok')
  t(b('AA==='), 'over-padded')
  t(b('A'), 'single char')
  t(b('AB=='), 'non-zero trailing bits accepted')
  t(b('-_-_'), 'base64url alphabet accepted')
  t(b('+/+/'), 'standard alphabet')
  t(b('-/+_'), 'mixed alphabets')
  t(b('AA AA'), 'inner space')
  t(b(' AAAA'), 'leading space')
  t(b('AAAA '), 'trailing space')
  t(b('AAAA\n'), 'trailing newline')
  t(b('AAA!'), 'invalid char')
  t(b('AA=A'), 'padding in the middle')
  t(b('=AAA'), 'leading padding')
  t(b('AAAAAA=='), '4 bytes')
  t(b('AAAAA'), '5 chars (1 mod 4)')
  t(b('AAAAAAAAAAA'), '11 chars, unpadded')
  t(b('AAAAAAAAAAA='), '11 chars + 1 pad')
  t(b('AAAAAA.='), 'junk before pad')
  t(b('QUJD'), '"ABC"')
  t(b('ŁŁŁŁ'), 'QUIRK: Node truncates U+0141 "Ł" to its low byte 0x41 "A": decodes like "AAAA" (3 zero bytes) -> valid')
  t(b('QUJDŁŁŁŁ'), 'U+0141 in a later group')
  t(b('QUJDRAŁ='), 'U+0141 in the last group')
  t(b('QUJD\u0100'), 'U+0100 truncates to NUL')
  t(b('QQ\u013d\u013d'), 'U+013D truncates to "=" (padding) inside the decoder')
  t(b('QUJD😀'), 'astral char (surrogates truncate to 0x3D "=" and 0x00)')
  t('{"v":{"$bytes":"AA==","x":1}}', 'extra key: not a bytes object, stays a plain object')
  t('{"v":{"$bytes":5}}', '$bytes not a string')
  t('{"v":{"$bytes":null}}', '$bytes null')
  t('{"v":"AAAA"}', 'plain string is not bytes')
  t('{"v":[0,0,0]}', 'array of numbers is not bytes')
  t(`{"v":{"$link":"${LINK}"}}`, 'cid-link is not bytes')
  t('{"v":{"$bytes":"AA==","$link":"x"}}', '$link key present: only $link parsing attempted')
  t = r('bytesLen')
  t(b(''), 'minLength 2 bytes: 0')
  t(b('AA=='), '1 byte')
  t(b('AAA='), '2 bytes')
  t(b('AAAAAA=='), '4 bytes (maxLength)')
  t(b('AAAAAAA='), '5 bytes')
  t(b('AAAAAAA'), '5 bytes unpadded')
  t = r('bytesTop')
  t('{"$bytes":"AAA="}', 'named bytes def, 2 bytes <= 3')
  t('{"$bytes":"AAAAAA=="}', '4 bytes > 3')

  t = r('cidLink')
  const l = (s) => `{"v":{"$link":${JSON.stringify(s)}}}`
  t(l(LINK), 'raw CIDv1')
  t(l(LINK_CBOR), 'dag-cbor CIDv1')
  t(l(CIDV0), 'CIDv0 (Qm...) accepted')
  t(l('zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7'), 'base58btc CIDv1 with z prefix')
  t(l('zQmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFskZ9Tz1Ffkw'), 'z + CIDv0 text: invalid')
  t(l(''), 'empty $link')
  t(l('bad'), 'not a CID')
  t(l(LINK.toUpperCase()), 'uppercase base32 (B prefix unsupported)')
  t(`{"v":{"$link":"${LINK}","x":1}}`, 'extra key: plain object -> not a CID')
  t(`{"v":"${LINK}"}`, 'CID string is not a cid-link')
  t('{"v":{"/":"x","bytes":"x"}}', 'QUIRK: multiformats CID.asCID accepts any object whose "/" === "bytes"')
  t('{"v":{"/":0,"bytes":0}}', 'QUIRK: same with numbers')
  t('{"v":{"/":true,"bytes":true,"more":[]}}', 'QUIRK: extra keys allowed')
  t('{"v":{"/":null,"bytes":null}}', '"/" must be non-null')
  t('{"v":{"/":{},"bytes":{}}}', 'two different objects are not ===')
  t(`{"v":{"/":"${LINK}"}}`, 'dag-json style {"/": cid} is NOT a cid-link')
  t('{"v":{"$bytes":"AAAA"}}', 'bytes is not a cid')
  t = r('cidTop')
  t(`{"$link":"${LINK}"}`, 'named cid-link def')
  t('{"$link":"nope"}', 'bad link')

  for (const def of ['blob', 'blobImage', 'blobExact', 'blobAny']) {
    t = V(f, 'ipld', `${I}#${def}`)
    const sfx = `(${def}; accept/maxSize are NOT checked)`
    t({ v: blob() }, `typed blob image/png size 100 ${sfx}`)
    t({ v: blob({ mimeType: 'text/plain', size: 1e6 }) }, `wrong mime + huge size ${sfx}`)
    t({ v: blob({ mimeType: 'video/mp4', size: 5 }) }, `video/mp4 ${sfx}`)
  }
  t = V(f, 'ipld', `${I}#blob`)
  t({ v: blob({ mimeType: '', size: -5.5 }) }, 'mimeType "" and negative fractional size still a BlobRef')
  R(f, 'ipld', `${I}#blob`)(`{"v":{"$type":"blob","ref":{"$link":"${LINK}"},"mimeType":"image/png","size":1e999}}`, 'size Infinity accepted (zod z.number())')
  t({ v: { $type: 'blob', ref: { $link: LINK }, mimeType: 'image/png' } }, 'missing size')
  t({ v: blob({ size: '1' }) }, 'size as string')
  t({ v: blob({ size: null }) }, 'size null')
  t({ v: blob({ mimeType: 5 }) }, 'mimeType not a string')
  t({ v: blob({ x: 1 }) }, 'extra key (zod .strict())')
  t({ v: blob({ ref: { $link: CIDV0 } }) }, 'CIDv0 ref accepted')
  t({ v: blob({ ref: { $link: LINK_CBOR } }) }, 'dag-cbor CID ref accepted (no codec check)')
  t({ v: blob({ ref: { $link: 'bad' } }) }, 'bad $link ref')
  t({ v: blob({ ref: LINK }) }, 'ref as plain string')
  t({ v: blob({ ref: { '/': 'x', bytes: 'x' } }) }, 'QUIRK: fake CID object as ref')
  t({ v: { $type: 'blob' } }, '$type blob only')
  t({ v: { $type: 'Blob', ref: { $link: LINK }, mimeType: 'image/png', size: 1 } }, '$type must be exactly "blob"')
  t({ v: { cid: LINK, mimeType: 'image/png' } }, 'legacy blob {cid, mimeType}')
  t({ v: { cid: LINK, mimeType: '' } }, 'legacy blob with empty mimeType')
  t({ v: { cid: CIDV0, mimeType: 'image/png' } }, 'legacy blob with CIDv0')
  t({ v: { cid: LINK, mimeType: 'image/png', size: 1 } }, 'legacy blob with extra key: not a blob')
  t({ v: { cid: 'bad', mimeType: 'image/png' } }, 'legacy blob with bad cid: jsonToLex THROWS -> invalid input')
  t({ v: { cid: 'bad', mimeType: 5 } }, 'mimeType not string: not a legacy blob, plain object')
  t({ v: { $link: LINK } }, 'cid-link is not a blob')
  t({ v: {} }, 'empty object')
  t({ v: null }, 'null')
  t = V(f, 'ipld', `${I}#blobArr`)
  t({ v: [blob(), blob()] }, 'array of 2 blobs')
  t({ v: [blob(), blob(), blob()] }, 'maxLength 2')
  t({ v: [blob(), { cid: LINK, mimeType: 'a/b' }] }, 'typed + legacy')
  t = V(f, 'ipld', `${I}#blobTop`)
  t(blob({ mimeType: 'video/mp4' }), 'named blob def: accept not checked')

  t = V(f, 'ipld', `${I}#unknown`)
  t({ v: {} }, 'unknown: object')
  t({ v: [] }, 'unknown: arrays are objects too')
  t({ v: 's' }, 'unknown: string rejected')
  t({ v: 1 }, 'unknown: number rejected')
  t({ v: true }, 'unknown: boolean rejected')
  t({ v: false }, 'unknown: false rejected')
  t({ v: null }, 'unknown: null rejected')
  t({ v: { $bytes: 'AAAA' } }, 'unknown: bytes ok')
  t({ v: { $link: LINK } }, 'unknown: cid-link ok')
  t({ v: blob() }, 'unknown: blob ok')
  t({ v: { $type: 'whatever', x: [1, { y: null }] } }, 'unknown: contents not validated')
  t({ v: { a: { cid: 'bad', mimeType: 'x' } } }, 'unknown: nested legacy-blob-shaped object with bad cid makes jsonToLex throw')
  t({ v: { a: { cid: LINK, mimeType: 'x' } } }, 'unknown: nested legacy blob ok')
  t({ v: { '/': 1, bytes: 1, inner: { cid: 'bad', mimeType: 'x' } } }, 'fake-CID object is not walked by ipldToLex: the bad legacy blob inside is not parsed')
  t({}, 'unknown: required missing')
  t = V(f, 'ipld', `${I}#unknownOpt`)
  t({}, 'optional unknown missing')
  t({ v: null }, 'optional unknown null: still invalid')
  t({ v: 0 }, 'optional unknown 0')
  t = V(f, 'ipld', `${I}#unknownTop`)
  t({ a: 1 }, 'named unknown def')
  t('x', 'named unknown def: string')
}

// =========================================================================
// complex.jsonl — arrays, nullable/required, refs, unions, tokens, records, quirks
// =========================================================================
{
  const C = 'io.placehook.test.complex'
  const f = 'complex.jsonl'
  const d = (def) => V(f, 'complex', `${C}#${def}`)
  let t = d('arr')
  t({ v: [] }, 'array minLength 1')
  t({ v: ['a'] }, '1 item')
  t({ v: ['a', 'b', 'c'] }, 'maxLength 3')
  t({ v: ['a', 'b', 'c', 'd'] }, '4 items')
  t({ v: ['abcd'] }, 'item maxLength 3 violated')
  t({ v: ['ab', 5] }, 'second item wrong type')
  t({ v: 'a' }, 'string instead of array')
  t({ v: null }, 'null')
  t({ v: [null] }, 'null item')
  t({ v: {} }, 'object instead of array')
  t({ v: { length: 1, 0: 'a' } }, 'array-like object is not an array')
  t({ v: ['a', 'b', 'c', 'dddd'] }, 'length checked before items: 4 items (maxLength) AND bad item -> length error')
  t = d('arrInt')
  t({ v: [0, 1] }, 'integers')
  t({ v: [-1] }, 'minimum 0')
  t({ v: [1.5] }, 'not integer')
  t({ v: [] }, 'empty ok (no minLength)')
  t = d('arrTop')
  t([1, 2], 'named array def')
  t([1, 2, 3], 'maxLength 2')
  t(['a'], 'items integer')
  t({}, 'object')
  t = V(f, 'complex', `${C}#nullable`)
  t({ a: 'x', b: null }, 'b is required AND nullable: null ok')
  t({ a: 'x' }, 'b missing: required')
  t({ a: null, b: 'y' }, 'a required, not nullable')
  t({ a: 'x', b: 'y', c: null }, 'c nullable optional')
  t({ a: 'x', b: null, d: null }, 'd optional, not nullable: null invalid')
  t({ a: 'x', b: null, e: null }, 'e nullable with default: null ok')
  t({ a: 'x', b: null, e: '3' }, 'e integer')
  t({ a: 'x', b: 5 }, 'b nullable but wrong type')
  t = d('nested')
  t({ p: { x: 1, y: 2 } }, 'ref #point')
  t({ p: { x: 1, y: 2, $type: 'wrong' } }, '$type on a ref (non-union) object is ignored')
  t({ p: { x: 1 } }, 'nested required missing')
  t({ p: { x: 1, y: 2 }, q: { x: 1, y: 2 } }, 'ref by full nsid#name')
  t({ p: { x: 1, y: 2 }, other: { o: true }, otherMain: { o: false } }, 'ref to main by bare nsid and by nsid#main')
  t({ p: { x: 1, y: 2 }, otherMain: { o: 1 } }, 'nested error path')
  t({ p: { x: 1, y: 2 }, r: [{ x: 1, y: 2 }, { x: 1 }] }, 'array of refs, 2nd bad')
  t({ p: { x: 1, y: 2 }, q: null }, 'null for optional ref')
  t({ p: [] }, 'array where object expected: arrays pass the object check, then x missing')
  t({ p: 'str' }, 'string where object expected')
  t = d('openUnion')
  t({ v: { $type: `${C}#a`, a: 'x' } }, 'open union: known member')
  t({ v: { $type: `${C}#a` } }, 'known member validated')
  t({ v: { $type: `${C}#zzz` } }, 'open union: unknown $type accepted without checks')
  t({ v: { $type: 'com.example.other', anything: [1] } }, 'open union: foreign $type')
  t({ v: { $type: 'io.placehook.test.other', o: true } }, 'ref listed as bare nsid, $type bare')
  t({ v: { $type: 'io.placehook.test.other#main', o: true } }, '$type with #main matches bare ref')
  t({ v: { $type: 'io.placehook.test.other#main' } }, '#main member validated')
  t({ v: { $type: `lex:${C}#a` } }, '"lex:" prefixed $type matches and is validated')
  t({ v: { $type: '#a' } }, 'relative $type: toLexUri throws -> invalid')
  t({ v: { $type: '' } }, 'empty $type: unknown member of an open union -> valid')
  t({ v: { $type: 'a#b#c' } }, 'two hashes: toLexUri throws -> invalid')
  t({ v: { $type: 5 } }, 'non-string $type')
  t({ v: { $type: null } }, 'null $type')
  t({ v: { a: 'x' } }, 'missing $type')
  t({ v: `${C}#a` }, 'string')
  t({ v: [] }, 'array has no $type')
  t({ v: { $type: 'io.placehook.test.other#side' } }, 'def of a listed doc but not listed itself: unknown -> valid')
  t({ v: { $type: `${C}#b`, b: 1.5 } }, 'member #b validated')
  t({ v: { $type: `${C}#A`, a: 'x' } }, '$type is case-sensitive: unknown -> valid')
  t({ v: { $type: `${C}#a `, a: 'x' } }, 'trailing space: unknown -> valid')
  t = d('closedUnion')
  t({ v: { $type: `${C}#zzz` } }, 'closed union rejects unknown $type')
  t({ v: { $type: 'io.placehook.test.other', o: true } }, 'closed: ref listed with #main, $type bare')
  t({ v: { $type: 'io.placehook.test.other#main', o: true } }, 'closed: exact')
  t({ v: { $type: `${C}#b`, b: 1 } }, 'closed: member')
  t({ v: { $type: '' } }, 'closed: empty $type')
  t = d('emptyClosedUnion')
  t({ v: { $type: 'x' } }, 'closed union with no refs rejects everything')
  t = d('emptyOpenUnion')
  t({ v: { $type: 'x' } }, 'open union with no refs accepts any $type object')
  t({ v: {} }, 'but still needs $type')
  t = d('unionArr')
  t({ v: [{ $type: `${C}#a`, a: 'x' }, { $type: `${C}#zzz` }] }, 'union items')
  t({ v: [{ a: 'x' }] }, 'item without $type')
  t({ v: [] }, 'empty')
  t = d('tokenUnion')
  t({ v: { $type: `${C}#tok` } }, 'union member that is a token: always invalid ("Unexpected lexicon type: token")')
  t({ v: `${C}#tok` }, 'token name as string in a union: not an object')
  t = d('tokenRef')
  t({ v: `${C}#tok` }, 'ref to a token: always invalid')
  t = d('tokenKnown')
  t({ v: `${C}#tok` }, 'tokens are normally used as string knownValues')
  t({ v: 'anything' }, 'knownValues not enforced')
  t = d('tok')
  t('io.placehook.test.complex#tok', 'validating against a token def directly: always invalid')
  t = d('refToString')
  t({ v: 'abc' }, 'ref to a string def')
  t({ v: 'abcd' }, 'ref to string def, too long')
  t = d('refToArray')
  t({ v: [1] }, 'ref to an array def')
  t({ v: [1, 2, 3] }, 'ref to array def: maxLength')
  t = d('refMissing')
  t({}, 'dangling ref but property absent: valid')
  t({ v: 1 }, 'dangling ref used: LexiconDefNotFoundError -> invalid')
  t = d('unionMissing')
  t({ v: { $type: `${C}#doesNotExist` } }, 'listed-but-undefined union member: throws -> invalid')
  t({ v: { $type: `${C}#a`, a: 's' } }, 'other member fine')
  t = d('refToRecord')
  t({ v: { text: 'x' } }, 'ref to a record def: "Unexpected lexicon type: record"')
  t = d('unionToRecord')
  t({ v: { $type: 'io.placehook.test.record', text: 'x' } }, 'union member that is a record: invalid')
  t = V(f, 'complex', `${C}#protoProps`)
  t({}, 'QUIRK: absent "constructor"/"toString" props read Object.prototype functions -> "must be a string"')
  t({ constructor: 'x', toString: 'y' }, 'present: fine')
  t({ constructor: 'x' }, 'toString still inherited')
  t = V(f, 'complex', `${C}#protoUnknown`)
  t({}, 'QUIRK: absent "hasOwnProperty" (unknown) is a function -> "must be an object"')
  t = V(f, 'complex', `${C}#lengthProp`)
  t([], 'QUIRK: array passes the object check; "length" prop = 0 (integer)')
  t([1, 2], 'array length 2')
  t({}, 'no length')
  t({ length: 'x' }, 'length wrong type')
  t({ $bytes: 'AAAA' }, 'QUIRK: bytes value (Uint8Array) has length 3')
  t = V(f, 'complex', `${C}#allOptional`)
  t([], 'object def given an array: valid (arrays are objects)')
  t({ $bytes: 'AAAA' }, 'object def given bytes: valid')
  t({ $link: LINK }, 'object def given a cid-link: valid')
  t(blob(), 'object def given a blob: valid')
  t('str', 'string: "Value must be an object"')
  t(null, 'null')
  t(5, 'number')
  t({ x: 'a', zz: 1 }, 'unknown fields allowed')
  t({ x: 1 }, 'x wrong type')
  t = V(f, 'complex', `${C}#emptyObj`)
  t({ anything: 1 }, 'no properties')
  t = V(f, 'complex', `${C}#dollarType`)
  t({ $type: 'hello' }, '$type declared as a normal property is validated like any other')
  t({ $type: 'x' }, 'const mismatch')
  t({}, 'required')
  t = V(f, 'complex', 'io.placehook.test.other')
  t({ o: true }, 'object def addressed by bare nsid (main)')
  t({ o: 'x' }, 'bad')
  t = V(f, 'complex', 'io.placehook.test.other#side')
  t({ s: 'x' }, 'non-main object def')
  t = V(f, 'complex', 'io.placehook.test.record')
  t({ $type: 'io.placehook.test.record', text: 'hi' }, 'record: $type required and equal to the NSID')
  t({ $type: 'io.placehook.test.record', text: 'hi', n: 'x' }, 'record field error')
  t({ $type: 'io.placehook.test.record', text: 'hi', sub: { x: 1, y: 2 }, extra: { z: 1 } }, 'record with ref + unknown field')
  t({ text: 'hi' }, 'record WITHOUT $type: invalid')
  t({ $type: 'io.placehook.test.record#main', text: 'hi' }, 'record $type "nsid#main": invalid (compared after toLexUri, no #main folding)')
  t({ $type: 'lex:io.placehook.test.record', text: 'hi' }, 'record $type with lex: prefix: valid')
  t({ $type: 'io.placehook.test.Record', text: 'hi' }, 'case-sensitive')
  t({ $type: null, text: 'hi' }, '$type null')
  t({ $type: 'a#b#c', text: 'hi' }, '$type with two hashes: throws')
  t({ $type: 'io.placehook.test.other', o: true }, 'other $type')
  t({ $type: 'io.placehook.test.record', text: 'hi', n: null }, 'null for defaulted field')
  t({ $type: 'io.placehook.test.record' }, 'required text missing')
  t([], 'array: no $type')
  t('x', 'not an object')
  t = V(f, 'complex', 'io.placehook.test.emptyRecord')
  t({ $type: 'io.placehook.test.emptyRecord' }, 'record with no properties')
  t({ $type: 'io.placehook.test.emptyRecord', anything: [1] }, 'extra fields')

  t = V(f, 'lenient', 'io.placehook.test.lenient#noProps')
  t({}, 'object def without "properties" (schema-invalid): anything object-like passes')
  t({ x: 1 }, 'fields')
  t([], 'array')
  t('s', 'string')
  t = V(f, 'lenient', 'io.placehook.test.lenient#noPropsRequired')
  t({}, 'required without properties: required is never checked')
  t = V(f, 'lenient', 'io.placehook.test.lenient#badRequired')
  t({}, 'required name not in properties: never checked (loop is over properties)')
}

// =========================================================================
// xrpc.jsonl — query params, procedure input, subscription message
// =========================================================================
{
  const f = 'xrpc.jsonl'
  let t = V(f, 'xrpc', 'io.placehook.test.query')
  t({ q: 'abc' }, 'query -> assertValidXrpcParams; values are already-decoded JSON')
  t({}, 'required param missing')
  t({ q: 'abcdef' }, 'maxLength; note error path has no "Params/" prefix')
  t({ q: 'a', limit: '10' }, 'string "10" is NOT coerced to an integer')
  t({ q: 'a', limit: 10 }, 'integer')
  t({ q: 'a', limit: 0 }, 'minimum')
  t({ q: 'a', limit: null }, 'null')
  t({ q: 'a', flag: 'true' }, 'string "true" is NOT a boolean')
  t({ q: 'a', flag: true }, 'boolean')
  t({ q: 'a', tags: ['a', 'b'] }, 'array param')
  t({ q: 'a', tags: ['a', 'b', 'c'] }, 'array maxLength')
  t({ q: 'a', tags: 'a' }, 'single value is not wrapped into an array')
  t({ q: 'a', tags: ['abcd'] }, 'array item maxLength')
  t({ q: 'a', ints: [1, '2'] }, 'array items not coerced')
  t({ q: 'a', u: {} }, 'unknown param must be an object')
  t({ q: 'a', u: 'x' }, 'unknown param string')
  t({ q: 'a', actor: 'did:plc:abc' }, 'format in params')
  t({ q: 'a', actor: 'not valid' }, 'bad format in params')
  t({ q: 'a', extra: 1 }, 'unknown params ignored')
  t([], 'array value: treated as object (no "q")')
  t('q', 'non-object value is treated as {}')
  t(null, 'null value is treated as {}')
  t({ q: null }, 'null param')
  t = V(f, 'xrpc', 'io.placehook.test.queryNoParams')
  t({}, 'query without parameters: anything valid')
  t('anything', 'even a string')
  t = V(f, 'xrpc', 'io.placehook.test.queryOptional')
  t({}, 'all optional, default applied')
  t({ n: '1' }, 'string for integer')
  t({ cursor: 1 }, 'number for string')
  t({ cursor: 'x', n: 2 }, 'ok')
  t = V(f, 'xrpc', 'io.placehook.test.proc')
  t({ x: 'ab' }, 'procedure -> assertValidXrpcInput (params NOT checked: required param p absent)')
  t({ x: 'abcde' }, 'input maxLength')
  t({}, 'required input field')
  t({ x: 'a', t: { b: true } }, 'nested ref')
  t({ x: 'a', t: {} }, 'nested ref required')
  t({ x: 'a', n: null }, 'null for defaulted field')
  t([], 'array body: object check passes, x missing')
  t('x', 'string body')
  t(null, 'null body')
  t = V(f, 'xrpc', 'io.placehook.test.procRef')
  t({ b: true }, 'input schema is a ref')
  t({ b: 1 }, 'wrong type')
  t({}, 'required')
  t({ $type: 'io.placehook.test.procRef#alt', c: 1 }, '$type ignored for ref schemas')
  t = V(f, 'xrpc', 'io.placehook.test.procUnion')
  t({ $type: 'io.placehook.test.procUnion#body', b: true }, 'input schema is an (open) union')
  t({ $type: 'io.placehook.test.procUnion#body' }, 'member validated')
  t({ $type: 'io.placehook.test.procUnion#zzz' }, 'open union: unknown member accepted')
  t({ b: true }, 'union needs $type')
  t('s', 'string')
  t = V(f, 'xrpc', 'io.placehook.test.procClosedUnion')
  t({ $type: 'io.placehook.test.procClosedUnion#zzz' }, 'closed union input')
  t({ $type: 'io.placehook.test.procClosedUnion#body', b: false }, 'closed union input member')
  t = V(f, 'xrpc', 'io.placehook.test.procNoInput')
  t({}, 'procedure without input: anything valid')
  t('x', 'string')
  t(null, 'null')
  t = V(f, 'xrpc', 'io.placehook.test.procBinary')
  t({ x: 1 }, 'input without schema (binary): anything valid')
  t = V(f, 'xrpc', 'io.placehook.test.sub')
  t({ $type: 'io.placehook.test.sub#ev', seq: 1 }, 'subscription -> assertValidXrpcMessage (union)')
  t({ $type: 'io.placehook.test.sub#ev' }, 'message member validated')
  t({ seq: 1 }, 'message needs $type')
  t({ $type: 'io.placehook.test.sub#other' }, 'open union message')
}

// =========================================================================
// json.jsonl — JSON text level (what the harness/JSON parser must do)
// =========================================================================
{
  const f = 'json.jsonl'
  const t = R(f, 'strings', 'io.placehook.test.strings#len')
  t('', 'empty line: not JSON')
  t('not json', 'garbage')
  t('{', 'truncated')
  t('{"v":"ab",}', 'trailing comma')
  t("{'v':'ab'}", 'single quotes')
  t('{"v":"ab"} x', 'trailing garbage')
  t('{"v":"ab"}{"v":"ab"}', 'two values on one line')
  t('  {"v":"ab"}  ', 'surrounding spaces ok')
  t('\t{"v":"ab"}\r', 'tab and trailing CR are JSON whitespace (CR before LF stays in the line)')
  t('\ufeff{"v":"ab"}', 'BOM is not JSON whitespace')
  t('\u00a0{"v":"ab"}', 'NBSP is not JSON whitespace')
  t('{"v":"a\tb"}', 'raw TAB inside a string is not allowed')
  t('{"v":"a\\tb"}', 'escaped tab ok (3 bytes)')
  t('{"v":"a\u007fb"}', 'raw DEL is allowed in strings')
  t('{"v":"a\u2028b"}', 'raw U+2028 allowed in JSON strings')
  t('{"v":"\\u0061\\u0062"}', 'unicode escapes')
  t('{"v":"\\x41"}', 'invalid escape')
  t('{"v":"\\u00"}', 'short unicode escape')
  t('{"v":"abcdefgh","v":"ab"}', 'duplicate keys: LAST wins (valid)')
  t('{"v":"ab","v":"abcdefgh"}', 'duplicate keys: last wins (invalid)')
  t('{"v":"ab","__proto__":1}', '"__proto__" key anywhere: jsonToLex throws')
  t('{"v":"ab","x":{"__proto__":null}}', 'nested "__proto__"')
  t('{"v":"ab","constructor":1,"toString":2}', 'other prototype names as keys are fine')
  t('{"v":"ab","\\u005f_proto__":1}', 'escaped "__proto__" key is the same key')
  t('{"v":"ab","x":' + '['.repeat(100) + ']'.repeat(100) + '}', 'nesting depth 100 (serde_json default limit is 128)')
  t('{"v":"ab","x":' + '['.repeat(1000) + ']'.repeat(1000) + '}', 'nesting depth 1000: accepted by the reference')
  t('{"v":"ab","x":' + '{"a":'.repeat(1000) + '1' + '}'.repeat(1000) + '}', 'object nesting depth 1000')
  t('{"v":"ab","n":1e400}', 'unvalidated extra field with huge number: fine')
  t('{"v":"ab","n":-0}', '-0 in extra field')
  t('{"v":"ab","n":01}', 'leading zero: not JSON')
  t('{"v":"ab","n":.5}', 'leading dot: not JSON')
  t('{"v":"ab","n":1.}', 'trailing dot: not JSON')
  t('{"v":"ab","n":+1}', 'plus sign: not JSON')
  t('{"v":"ab","n":NaN}', 'NaN: not JSON')
  t('{"v":"ab","n":Infinity}', 'Infinity: not JSON')
  t('{"v":"\\ud800"}', 'lone surrogate escape: JSON.parse accepts (serde_json does not!)')
  t('{"v":"ab","\\ud800":1}', 'lone surrogate in a key')
  t('["ab"]', 'array at top level for an object def')
  t('"ab"', 'string at top level')
  t('null', 'null at top level')
  t('{"v":"ab"}\u0000', 'trailing NUL byte')
}

// =========================================================================
// main.jsonl — the real lexicons (lexicons/)
// =========================================================================
{
  const f = 'main.jsonl'
  const chat = JSON.parse(readFileSync(join(root, 'tests/fixtures/bench/chat_message.json'), 'utf8'))
  const hook = JSON.parse(readFileSync(join(root, 'tests/fixtures/bench/create_webhook.json'), 'utf8'))
  let t = V(f, 'main', 'place.stream.chat.message')
  const c = (o) => ({ ...chat, ...o })
  t(chat, 'bench chat message')
  t({ $type: 'place.stream.chat.message', text: 'hi', createdAt: '2024-01-01T00:00:00Z', streamer: 'did:plc:abc' }, 'minimal chat message')
  t(c({ $type: undefined }), 'record without $type')
  t(c({ text: '' }), 'empty text allowed')
  t(c({ text: 'x'.repeat(300) }), '300 graphemes (max)')
  t(c({ text: 'x'.repeat(301) }), '301 graphemes')
  t(c({ text: '😀'.repeat(300) }), '300 emoji: 1200 bytes, 300 graphemes')
  t(c({ text: '👨‍👩‍👧‍👦'.repeat(120) }), '120 family emoji = 3000 bytes, 120 graphemes')
  t(c({ text: '👨‍👩‍👧‍👦'.repeat(121) }), '3025 bytes > maxLength 3000')
  t(c({ createdAt: '2024-01-01T00:00:00' }), 'createdAt without timezone (ISO path accepts)')
  t(c({ createdAt: 'yesterday' }), 'bad datetime')
  t(c({ streamer: 'alice.bsky.social' }), 'streamer must be a DID')
  t(c({ facets: [] }), 'empty facets')
  t(c({ facets: [{ index: { byteStart: 0, byteEnd: 1 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'x' }] }] }), 'tag feature not in place.stream facet union (open union): valid')
  t(c({ facets: [{ index: { byteStart: 0, byteEnd: 1 }, features: [{ $type: 'app.bsky.richtext.facet#mention' }] }] }), 'mention without did')
  t(c({ facets: [{ index: { byteStart: -1, byteEnd: 1 }, features: [] }] }), 'byteStart minimum 0')
  t(c({ facets: [{ index: { byteStart: 0 }, features: [] }] }), 'byteEnd required')
  t(c({ facets: [{ features: [] }] }), 'index required')
  t(c({ facets: [{ index: { byteStart: 0, byteEnd: 1 }, features: [{ did: 'did:plc:abc' }] }] }), 'feature without $type')
  t(c({ facets: [{ index: { byteStart: 0, byteEnd: 1 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'not a uri' }] }] }), 'link with bad uri')
  t(c({ reply: { root: { uri: 'at://did:plc:abc/place.stream.chat.message/3k2yihcrp6f2c', cid: LINK_CBOR }, parent: { uri: 'at://did:plc:abc/place.stream.chat.message/3k2yihcrp6f2c', cid: LINK_CBOR } } }), 'reply with strongRefs')
  t(c({ reply: { root: { uri: 'at://did:plc:abc/place.stream.chat.message/3k2yihcrp6f2c', cid: 'nope' }, parent: { uri: 'at://x', cid: LINK_CBOR } } }), 'reply with bad cid')
  t(c({ extra: { anything: true } }), 'unknown field')
  t(c({ $type: 'app.bsky.feed.post' }), 'wrong $type')
  t = V(f, 'main', 'place.stream.server.createWebhook')
  const h = (o) => ({ ...hook, ...o })
  t(hook, 'bench createWebhook input')
  t({ url: 'https://example.com/hook', events: [] }, 'minimal input')
  t({ url: 'https://example.com/hook' }, 'events required')
  t(h({ url: 'example.com/hook' }), 'url must be a uri')
  t(h({ events: ['chat', 'nope'] }), 'events enum')
  t(h({ events: 'chat' }), 'events not an array')
  t(h({ prefix: 'x'.repeat(100) }), 'prefix 100 bytes')
  t(h({ prefix: 'x'.repeat(101) }), 'prefix 101 bytes')
  t(h({ prefix: 'é'.repeat(50) }), 'prefix 100 bytes (50 x é)')
  t(h({ prefix: 'é'.repeat(51) }), 'prefix 102 bytes')
  t(h({ rewrite: [{ from: '', to: 'x' }] }), 'rewrite.from minLength 1')
  t(h({ rewrite: [{ from: 'a' }] }), 'rewrite.to required')
  t(h({ rewrite: [{ from: 'a', to: 'b', $type: 'whatever' }] }), '$type on ref item ignored')
  t(h({ active: 'yes' }), 'active boolean')
  t(h({ active: true, streamplaceFormat: false }), 'booleans')
  t(h({ muteWords: ['x'.repeat(101)] }), 'muteWords item maxLength')
  t(h({ description: 'd'.repeat(500) }), 'description 500')
  t(h({ description: 'd'.repeat(501) }), 'description 501')
  t(h({ $type: 'place.stream.server.createWebhook' }), '$type on input object ignored')
  t([], 'array input')
  t = V(f, 'main', 'place.stream.server.defs#webhook')
  t({ id: 'w1', url: 'https://x.y', events: ['chat'], active: true, createdAt: '2024-01-01T00:00:00.000Z' }, 'object def in main set')
  t({ id: 'w1', url: 'https://x.y', events: ['chat'], active: true }, 'createdAt required')
  t = V(f, 'main', 'place.stream.server.defs#rewriteRule')
  t({ from: 'a', to: '' }, 'rewriteRule')
}

// =========================================================================
// Run the reference and write the files.
// =========================================================================
const check = process.argv.includes('--check')
const validators = new Map()
const lexCache = new Map()
function validatorFor(set, def) {
  const key = `${set}\0${def}`
  if (!validators.has(key)) {
    if (!lexCache.has(set)) lexCache.set(set, loadLexicons(setDir(set)))
    validators.set(key, makeValidator(lexCache.get(set), def))
  }
  return validators.get(key)
}

function depth(v) {
  if (v === null || typeof v !== 'object') return 0
  let d = 0
  for (const x of Object.values(v)) d = Math.max(d, depth(x))
  return d + 1
}

function roundTrips(text) {
  try {
    if (/\\u[dD][89a-fA-F]/.test(text)) return false // lone surrogate escapes
    const v = JSON.parse(text)
    // keep vector lines parseable by parsers with a nesting limit (serde_json: 128)
    if (depth(v) > 64) return false
    return JSON.stringify(v) === text
  } catch {
    return false
  }
}

let stale = 0
let total = 0
const summary = []
mkdirSync(vecDir, { recursive: true })
for (const [file, cases] of files) {
  const lines = []
  let nValid = 0
  for (const { set, def, input, note } of cases) {
    const err = verdictForText(validatorFor(set, def), input)
    const valid = err === null
    if (valid) nValid++
    // Hand-built so that `value` is the exact input text.
    let line = `{"lexicons":${JSON.stringify(set)},"def":${JSON.stringify(def)}`
    if (roundTrips(input)) line += `,"value":${input}`
    line += `,"valid":${valid},"note":${JSON.stringify(note)}`
    if (!valid) line += `,"error":${JSON.stringify(err)}`
    line += `,"input":${JSON.stringify(input)}}`
    JSON.parse(line) // sanity
    lines.push(line)
  }
  total += lines.length
  summary.push(`${file}: ${lines.length} (${nValid} valid)`)
  const text = lines.join('\n') + '\n'
  const path = join(vecDir, file)
  if (check) {
    let old = ''
    try {
      old = readFileSync(path, 'utf8')
    } catch {}
    if (old !== text) {
      console.error(`STALE: ${path}`)
      stale++
    }
  } else {
    writeFileSync(path, text)
  }
}
console.error(summary.join('\n') + `\ntotal ${total}`)
if (stale) process.exit(1)
