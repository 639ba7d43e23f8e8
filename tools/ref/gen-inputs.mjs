#!/usr/bin/env node
// Random differential-input generator.
//   node tools/ref/gen-inputs.mjs --lexicons DIR --def NSID[#name] --count N --seed S [--mode M]
//     [--no-lone-surrogates] [--no-raw]
// Emits N JSON Lines: mostly near-valid mutations of schema-valid values for
// the def (dropped required fields, wrong types, boundary-length strings with
// multi-byte / multi-unit graphemes, slightly broken format strings, unknown
// fields, wrong $types, floats, -0, huge numbers, bad $bytes/$link/blobs ...).
// A few lines are deliberately not valid JSON. Deterministic for a seed.
//   --no-lone-surrogates  never emit \ud800-style lone surrogate escapes
//   --no-raw              never emit number spellings that JSON.stringify would
//                         not produce (2.0, 1e1, -0, 1e400, 2^53+1) nor
//                         duplicate keys / invalid JSON lines
import { loadLexicons, parseDefArg, defaultMode } from './lib.mjs'
import {
  FORMAT_SEEDS,
  UNICODE_PIECES,
  DT_JUNK,
  makeRng,
  mutateChars,
  randomDatetime,
  randomText,
  pad,
} from './gen-lib.mjs'

// ---------------------------------------------------------------------------
// args
const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  return i === -1 ? dflt : args[i + 1]
}
const lexDir = opt('--lexicons')
const defArg = opt('--def')
const count = Number(opt('--count', '1000'))
const seed = opt('--seed', '1')
const modeArg = opt('--mode')
const allowLone = !args.includes('--no-lone-surrogates')
const allowRaw = !args.includes('--no-raw')
if (!lexDir || !defArg) {
  process.stderr.write('usage: gen-inputs.mjs --lexicons DIR --def NSID[#name] --count N --seed S\n')
  process.exit(2)
}

const lexicons = loadLexicons(lexDir)
const { nsid, uri } = parseDefArg(defArg)
const rootDef = lexicons.getDef(uri)
if (!rootDef) {
  process.stderr.write(`def not found: ${uri}\n`)
  process.exit(2)
}
const mode = modeArg ?? defaultMode(rootDef.type)
const rng = makeRng(`${seed}|${defArg}`)

// ---------------------------------------------------------------------------
// Raw JSON tokens (numbers spelled in ways JSON.stringify never produces)
class Raw {
  constructor(text) {
    this.text = text
  }
}
/** Serialise; Raw -> verbatim; strings with lone surrogates -> \uXXXX escapes (JSON.stringify does that). */
function toJson(v) {
  if (v instanceof Raw) return v.text
  if (Array.isArray(v)) return '[' + v.map(toJson).join(',') + ']'
  if (v && typeof v === 'object') {
    const parts = []
    for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(JSON.stringify(k) + ':' + toJson(x))
    return '{' + parts.join(',') + '}'
  }
  return JSON.stringify(v)
}

// ---------------------------------------------------------------------------
// Schema helpers
const resolve = (ref) => lexicons.getDef(ref)
const LINKS = [
  'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy',
  'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a',
]
const VALID_FORMAT = {
  did: ['did:plc:4qsyxmnsblo4luuycm3572bq', 'did:web:example.com', 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'],
  handle: ['alice.bsky.social', 'bob.test', 'xn--ls8h.example.com'],
  'at-identifier': ['alice.bsky.social', 'did:plc:4qsyxmnsblo4luuycm3572bq'],
  nsid: ['app.bsky.feed.post', 'com.example.fooBar', 'place.stream.chat.message'],
  'at-uri': [
    'at://did:plc:4qsyxmnsblo4luuycm3572bq/app.bsky.feed.post/3k2yihcrp6f2c',
    'at://alice.bsky.social/place.stream.chat.message/3l6oveex3ii2l',
    'at://did:plc:4qsyxmnsblo4luuycm3572bq',
  ],
  cid: LINKS,
  language: ['en', 'pt-BR', 'zh-Hant-TW', 'ja'],
  tid: ['3k2yihcrp6f2c', '3l6oveex3ii2l', '2222222222222'],
  'record-key': ['self', '3k2yihcrp6f2c', 'a:b~c'],
  uri: ['https://example.com', 'https://stream.place/alice.bsky.social', 'http://localhost:8080/x?y=1#z'],
}

function utf8Len(s) {
  return Buffer.byteLength(s, 'utf8')
}

function validDatetime() {
  const y = rng.int(1990, 2030)
  const base = `${y}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}T${pad(rng.int(0, 23), 2)}:${pad(rng.int(0, 59), 2)}:${pad(rng.int(0, 59), 2)}`
  return base + rng.pick(['', '.000', '.123', '.5', '.123456']) + rng.pick(['Z', 'Z', 'Z', '+00:00', '+05:30', '-08:00'])
}

/** A string meeting the def's constraints (best effort). */
function genString(def) {
  if (typeof def.const === 'string') return def.const
  if (Array.isArray(def.enum) && def.enum.length) return rng.pick(def.enum)
  if (def.format) {
    if (def.format === 'datetime') return validDatetime()
    if (VALID_FORMAT[def.format]) return rng.pick(VALID_FORMAT[def.format])
  }
  if (Array.isArray(def.knownValues) && def.knownValues.length && rng.chance(0.5)) return rng.pick(def.knownValues)
  const maxB = def.maxLength ?? 200
  const minB = def.minLength ?? 0
  const maxG = def.maxGraphemes ?? 1e9
  const minG = def.minGraphemes ?? 0
  const targetG = Math.min(maxG, Math.max(minG, rng.int(0, 24)))
  let s = ''
  let n = 0
  for (let i = 0; i < targetG; i++) {
    const piece = rng.chance(0.85) ? rng.pick('abcdefghijklmnopqrstuvwxyz ABC0123456789'.split('')) : rng.pick(['é', '中', '😀', 'ß', '🇺🇸'])
    const pn = utf8Len(piece)
    if (n + pn > maxB) break
    s += piece
    n += pn
  }
  while (n < minB && n < maxB) {
    s += 'x'
    n++
  }
  return s
}

function genInteger(def) {
  if (typeof def.const === 'number') return def.const
  if (Array.isArray(def.enum) && def.enum.length) return rng.pick(def.enum)
  const lo = typeof def.minimum === 'number' ? def.minimum : -1000
  const hi = typeof def.maximum === 'number' ? def.maximum : Math.max(lo + 1000, 1000)
  const r = rng.int(0, 3)
  if (r === 0) return Math.ceil(lo)
  if (r === 1) return Math.floor(hi)
  return Math.ceil(lo) + Math.floor(rng.next() * (Math.floor(hi) - Math.ceil(lo) + 1))
}

function b64(n) {
  const bytes = Buffer.alloc(n)
  for (let i = 0; i < n; i++) bytes[i] = rng.int(0, 255)
  let s = bytes.toString('base64')
  if (rng.chance(0.3)) s = s.replace(/=+$/, '')
  return s
}

function genBlob(def) {
  const mime = (def.accept && def.accept.length ? rng.pick(def.accept) : 'image/png').replace('*/*', 'application/octet-stream').replace('/*', '/png')
  const maxSize = typeof def.maxSize === 'number' ? def.maxSize : 1000000
  if (rng.chance(0.1)) return { cid: rng.pick(LINKS), mimeType: mime }
  return { $type: 'blob', ref: { $link: LINKS[0] }, mimeType: mime, size: rng.int(0, maxSize) }
}

function genUnknown(depth) {
  const o = {}
  const n = rng.int(0, 3)
  for (let i = 0; i < n; i++) o[rng.pick(['a', 'b', 'c', '$type', 'x'])] = depth > 2 ? 1 : rng.pick([1, 'x', true, null, [], { y: 1 }])
  return o
}

/** Generate a (probably) valid value for a schema node. */
function gen(def, depth = 0) {
  if (!def) return null
  switch (def.type) {
    case 'ref':
      return gen(resolve(def.ref), depth)
    case 'union': {
      if (!def.refs.length) return { $type: 'com.example.unknown' }
      const ref = rng.pick(def.refs)
      const target = resolve(ref)
      const v = target && target.type === 'object' ? gen(target, depth) : {}
      let t = ref.replace(/^lex:/, '')
      if (t.endsWith('#main')) t = t.slice(0, -5)
      else if (!t.includes('#') && rng.chance(0.2)) t += '#main'
      return { $type: t, ...(v && typeof v === 'object' && !Array.isArray(v) ? v : {}) }
    }
    case 'object': {
      const o = {}
      const req = new Set(def.required ?? [])
      const nullable = new Set(def.nullable ?? [])
      for (const [k, p] of Object.entries(def.properties ?? {})) {
        if (!req.has(k) && !rng.chance(depth > 2 ? 0.2 : 0.6)) continue
        if (nullable.has(k) && rng.chance(0.2)) {
          o[k] = null
          continue
        }
        o[k] = gen(p, depth + 1)
      }
      return o
    }
    case 'record':
      return { $type: nsid, ...gen(def.record, depth) }
    case 'array': {
      const lo = def.minLength ?? 0
      const hi = Math.min(def.maxLength ?? lo + 3, lo + (depth > 2 ? 1 : 4))
      const n = rng.int(lo, Math.max(lo, hi))
      const out = []
      for (let i = 0; i < n; i++) out.push(gen(def.items, depth + 1))
      return out
    }
    case 'string':
      return genString(def)
    case 'integer':
      return genInteger(def)
    case 'boolean':
      return typeof def.const === 'boolean' ? def.const : rng.chance(0.5)
    case 'bytes': {
      const lo = def.minLength ?? 0
      const hi = def.maxLength ?? lo + 16
      return { $bytes: b64(rng.int(lo, Math.min(hi, lo + 40))) }
    }
    case 'cid-link':
      return { $link: rng.pick(LINKS) }
    case 'blob':
      return genBlob(def)
    case 'unknown':
      return genUnknown(depth)
    case 'token':
      return nsid
    case 'params': {
      const o = {}
      const req = new Set(def.required ?? [])
      for (const [k, p] of Object.entries(def.properties ?? {})) {
        if (!req.has(k) && !rng.chance(0.6)) continue
        o[k] = gen(p, depth + 1)
      }
      return o
    }
    default:
      return {}
  }
}

// ---------------------------------------------------------------------------
// Mutation sites: walk value + schema together.
function concrete(def, value) {
  // resolve refs; unions by $type (as the validator would)
  for (let i = 0; i < 20 && def; i++) {
    if (def.type === 'ref') def = resolve(def.ref)
    else if (def.type === 'union') {
      if (!value || typeof value !== 'object' || typeof value.$type !== 'string') return def
      const t = value.$type.startsWith('lex:') ? value.$type : `lex:${value.$type}`
      const hit = def.refs.find((r) => r === t || r === t.replace(/#main$/, '') || r === `${t}#main`)
      if (!hit) return def
      return { ...resolve(hit), __union: def }
    } else return def
  }
  return def
}

function collect(value, def, parent, key, out, depth = 0) {
  const c = concrete(def, value)
  out.push({ parent, key, def: c, value })
  if (depth > 6 || !c || value instanceof Raw) return
  if (Array.isArray(value) && c.type === 'array') {
    value.forEach((x, i) => collect(x, c.items, value, i, out, depth + 1))
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const props = c.type === 'record' ? c.record?.properties : c.properties
    if (props) {
      for (const [k, p] of Object.entries(props)) {
        if (k in value) collect(value[k], p, value, k, out, depth + 1)
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Value-level mutations
const WEIRD_NUMBERS = () =>
  allowRaw
    ? [new Raw('2.0'), new Raw('1e1'), new Raw('-0'), new Raw('1e400'), new Raw('9007199254740993'), new Raw('1.0e0'), new Raw('5e-324')]
    : [2.5, -1, 0, 1e21, 9007199254740992]

function loneSurrogate() {
  return allowLone ? rng.pick(['\ud800', '\udfff', '\udc00\ud800']) : '\ufffd'
}

function randomPrimitive() {
  return rng.pick([
    () => null,
    () => true,
    () => false,
    () => 0,
    () => rng.int(-5, 5) + 0.5,
    () => '',
    () => 'x',
    () => [],
    () => ({}),
    () => [1, 'a'],
    () => ({ $type: 'com.example.x' }),
    () => rng.pick(WEIRD_NUMBERS()),
  ])()
}

function boundaryString(def) {
  // aim at/over/under a byte or grapheme limit using multi-byte pieces
  const limits = []
  if (typeof def.maxLength === 'number') limits.push(['b', def.maxLength + rng.int(-1, 1)])
  if (typeof def.minLength === 'number') limits.push(['b', def.minLength + rng.int(-1, 1)])
  if (typeof def.maxGraphemes === 'number') limits.push(['g', def.maxGraphemes + rng.int(-1, 1)])
  if (typeof def.minGraphemes === 'number') limits.push(['g', def.minGraphemes + rng.int(-1, 1)])
  if (!limits.length) return randomText(rng, 6)
  const [kind, target] = rng.pick(limits)
  if (target < 0) return ''
  const pieces = rng.chance(0.5)
    ? ['a', 'é', '中', '😀', '👨‍👩‍👧‍👦', '🇺🇸', 'e\u0301', '\u1100\u1161\u11a8', 'क्ष', '\r\n', '👍🏽']
    : ['a', 'b', ' ', 'é']
  let s = ''
  if (kind === 'b') {
    // fill with pieces while under target bytes, then pad with ASCII
    let n = 0
    for (let guard = 0; guard < 5000 && n < target; guard++) {
      const p = rng.pick(pieces)
      const pn = utf8Len(p)
      if (n + pn > target) break
      s += p
      n += pn
    }
    if (n < target) s += 'a'.repeat(target - n)
  } else {
    for (let i = 0; i < target && i < 5000; i++) s += rng.pick(pieces)
  }
  if (allowLone && rng.chance(0.05)) s = s.slice(0, -1) + loneSurrogate()
  return s
}

function mutateFormatString(def, s) {
  const fmt = def.format
  const r = rng.int(0, 9)
  if (fmt === 'datetime' && r < 5) return randomDatetime(rng)
  if (r < 3 && FORMAT_SEEDS[fmt]) return rng.pick(FORMAT_SEEDS[fmt])
  if (r < 4) {
    const others = Object.keys(FORMAT_SEEDS)
    return rng.pick(FORMAT_SEEDS[rng.pick(others)])
  }
  const pool = fmt === 'datetime' ? DT_JUNK : ['.', ':', '-', '_', '/', '#', '?', '%', ' ', 'A', 'z', '0', '9', 'é', '😀', '\u0100', '~', '@']
  let out = typeof s === 'string' ? s : ''
  const n = rng.int(1, 2)
  for (let i = 0; i < n; i++) out = mutateChars(rng, out, pool)
  return out
}

function mutateString(def, value) {
  const r = rng.int(0, 11)
  if (def.format && r < 6) return mutateFormatString(def, value)
  if (r < 8 && (def.maxLength || def.minLength || def.maxGraphemes || def.minGraphemes)) return boundaryString(def)
  if (r === 8 && Array.isArray(def.enum)) return rng.pick([...def.enum.map((e) => e + ' '), ...def.enum.map((e) => e.toUpperCase()), ''])
  if (r === 9 && typeof def.const === 'string') return def.const + 'x'
  if (r === 10 && allowLone) return (typeof value === 'string' ? value : '') + loneSurrogate()
  return randomText(rng, 8)
}

function mutateInteger(def, value) {
  const r = rng.int(0, 7)
  const lo = def.minimum
  const hi = def.maximum
  if (r === 0 && typeof hi === 'number') return hi + 1
  if (r === 1 && typeof lo === 'number') return lo - 1
  if (r === 2) return (typeof value === 'number' ? value : 1) + 0.5
  if (r === 3 && allowRaw) return new Raw(`${typeof value === 'number' ? value : 1}.0`)
  if (r === 4) return String(value)
  if (r === 5 && Array.isArray(def.enum)) return Math.max(...def.enum, 0) + 1
  return rng.pick(WEIRD_NUMBERS())
}

function mutateBytes(def, value) {
  const r = rng.int(0, 6)
  const s = value && typeof value.$bytes === 'string' ? value.$bytes : 'AAAA'
  if (r === 0) return { $bytes: mutateChars(rng, s, ['=', '-', '_', '+', '/', ' ', '!', 'A', 'Ł', '\u0100', '\n']) }
  if (r === 1) return { $bytes: s, x: 1 }
  if (r === 2) return { $bytes: b64(Math.max(0, (def.maxLength ?? 4) + rng.int(-1, 1))) }
  if (r === 3) return { $bytes: b64(Math.max(0, (def.minLength ?? 1) + rng.int(-1, 1))) }
  if (r === 4) return s
  if (r === 5) return { $bytes: s + rng.pick(['=', '==', '===', 'A', 'AA']) }
  return { $link: LINKS[0] }
}

function mutateCidString(s) {
  return mutateChars(rng, s, ['a', 'b', 'z', 'Q', 'm', '1', '0', 'O', 'I', 'l', '=', ' ', 'B', '\u0100', '😀'])
}

function mutateLink(value) {
  const s = value && typeof value.$link === 'string' ? value.$link : LINKS[0]
  return rng.pick([
    () => ({ $link: mutateCidString(s) }),
    () => ({ $link: s, x: 1 }),
    () => s,
    () => ({ $link: rng.pick(FORMAT_SEEDS.cid) }),
    () => ({ '/': 'x', bytes: 'x' }),
    () => ({ '/': s }),
    () => ({ $bytes: 'AAAA' }),
  ])()
}

function mutateBlob(value) {
  const base = value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Raw) ? { ...value } : genBlob({})
  return rng.pick([
    () => ({ ...base, size: rng.pick([-1, 1.5, '10', null, 1e12, ...WEIRD_NUMBERS()]) }),
    () => ({ ...base, mimeType: rng.pick(['', 'text/plain', 'image', 5, 'video/mp4']) }),
    () => ({ ...base, extra: true }),
    () => {
      const b = { ...base }
      delete b[rng.pick(['ref', 'mimeType', 'size', '$type'])]
      return b
    },
    () => ({ ...base, ref: mutateLink(base.ref) }),
    () => ({ ...base, $type: rng.pick(['Blob', 'blob ', '']) }),
    () => ({ cid: rng.pick([LINKS[0], mutateCidString(LINKS[0]), 'bad']), mimeType: rng.pick(['image/png', '', 5]) }),
    () => ({ cid: LINKS[0], mimeType: 'image/png', size: 1 }),
    () => ({ $link: LINKS[0] }),
  ])()
}

function mutateArray(def, value) {
  const arr = Array.isArray(value) ? [...value] : []
  const r = rng.int(0, 4)
  if (r === 0 && typeof def.maxLength === 'number') {
    while (arr.length <= def.maxLength && arr.length < 200) arr.push(gen(def.items, 3))
    return arr
  }
  if (r === 1 && typeof def.minLength === 'number') {
    arr.length = Math.max(0, def.minLength - 1)
    return arr
  }
  if (r === 2) {
    arr.splice(rng.int(0, arr.length), 0, randomPrimitive())
    return arr
  }
  if (r === 3) return rng.chance(0.5) ? {} : arr[0] ?? 'x'
  arr.push(gen(def.items, 3))
  return arr
}

function mutateTypeField(obj, def) {
  const union = def.__union
  const current = typeof obj.$type === 'string' ? obj.$type : nsid
  const choices = [
    () => delete obj.$type,
    () => (obj.$type = current.endsWith('#main') ? current.slice(0, -5) : `${current}#main`),
    () => (obj.$type = `lex:${current}`),
    () => (obj.$type = 'com.example.unknownType'),
    () => (obj.$type = ''),
    () => (obj.$type = rng.pick(['#main', 'a#b#c', 5, null])),
    () => (obj.$type = current.toUpperCase()),
    () => (obj.$type = current + ' '),
  ]
  if (union) choices.push(() => (obj.$type = rng.pick(union.refs).replace(/^lex:/, '')))
  rng.pick(choices)()
}

const UNKNOWN_KEYS = ['extra', 'zz', '$type', 'constructor', 'toString', '__proto__', '$bytes', '$link', '']

function mutateObject(def, value) {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Raw) return randomPrimitive()
  const o = { ...value }
  const props = (def.type === 'record' ? def.record?.properties : def.properties) ?? {}
  const required = (def.type === 'record' ? def.record?.required : def.required) ?? []
  const r = rng.int(0, 9)
  if (r < 3 && Object.keys(o).length) {
    // drop a (preferably required) field
    const keys = required.filter((k) => k in o)
    delete o[keys.length && rng.chance(0.7) ? rng.pick(keys) : rng.pick(Object.keys(o))]
  } else if (r < 5) {
    const k = rng.pick(UNKNOWN_KEYS)
    if (k === '__proto__' && !rng.chance(0.2)) o.extra2 = randomPrimitive()
    else if (k === '__proto__') Object.defineProperty(o, '__proto__', { value: 1, enumerable: true, configurable: true, writable: true })
    else o[k] = k === '$type' ? rng.pick(['com.example.x', nsid, 5]) : randomPrimitive()
  } else if (r < 7 && (def.__union || def.type === 'record' || '$type' in o)) {
    mutateTypeField(o, def)
  } else if (r < 8) {
    const keys = Object.keys(props)
    if (keys.length) o[rng.pick(keys)] = rng.chance(0.5) ? null : randomPrimitive()
  } else if (r < 9) {
    return rng.pick([[], [o], 'x', null, 1])
  } else {
    const keys = Object.keys(props)
    if (keys.length) {
      const k = rng.pick(keys)
      o[k] = gen(props[k], 2)
    }
  }
  return o
}

function mutateAt(site) {
  const { def, value } = site
  if (!def) return randomPrimitive()
  if (rng.chance(0.1)) return randomPrimitive()
  switch (def.type) {
    case 'string':
      return mutateString(def, value)
    case 'integer':
      return mutateInteger(def, value)
    case 'boolean':
      return rng.pick(['true', 1, 0, null, 'false', !value])
    case 'bytes':
      return mutateBytes(def, value)
    case 'cid-link':
      return mutateLink(value)
    case 'blob':
      return mutateBlob(value)
    case 'unknown':
      return rng.pick([() => randomPrimitive(), () => ({ a: { cid: rng.pick(['bad', LINKS[0]]), mimeType: 'x' } }), () => genUnknown(0)])()
    case 'array':
      return mutateArray(def, value)
    case 'object':
    case 'record':
    case 'union':
    case 'params':
      return mutateObject(def, value)
    case 'token':
      return rng.pick([nsid, `${nsid}#x`, {}])
    default:
      return randomPrimitive()
  }
}

// ---------------------------------------------------------------------------
function rootSchema() {
  switch (mode) {
    case 'record':
      return rootDef
    case 'params':
      return rootDef.parameters ?? { type: 'params', properties: {} }
    case 'input':
      return rootDef.input?.schema ?? { type: 'unknown' }
    case 'output':
      return rootDef.output?.schema ?? { type: 'unknown' }
    case 'message':
      return rootDef.message?.schema ?? { type: 'unknown' }
    case 'object':
      return rootDef
    default:
      return { type: 'ref', ref: uri }
  }
}

function oneInput() {
  const schema = rootSchema()
  const holder = { root: gen(schema) }
  const nMut = rng.weighted([
    [25, 0],
    [45, 1],
    [20, 2],
    [10, 3],
  ])
  for (let i = 0; i < nMut; i++) {
    const sites = []
    collect(holder.root, schema, holder, 'root', sites)
    const site = rng.pick(sites)
    site.parent[site.key] = mutateAt(site)
  }
  let text = toJson(holder.root)
  // text-level mutations (rare)
  if (allowRaw && rng.chance(0.02)) {
    text = rng.pick([
      () => text.slice(0, rng.int(0, text.length - 1)), // truncated
      () => ` ${text}\t`, // whitespace around
      () => text + '\r', // CRLF line ending
      () => text.replace(/^\{"([^"]+)":/, (m, k) => `{"${k}":null,"${k}":`), // duplicate key (last wins)
      () => text.replace(/^\{/, '{"__proto__":{},'),
      () => text + 'x',
    ])()
  }
  return text
}

const out = []
for (let i = 0; i < count; i++) {
  out.push(oneInput())
  if (out.length >= 2000) {
    process.stdout.write(out.join('\n') + '\n')
    out.length = 0
  }
}
if (out.length) process.stdout.write(out.join('\n') + '\n')
