// Shared helpers for the reference (@atproto/lexicon) side of placehook's
// lexicon-validation differential tests. See SEMANTICS.md.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Lexicons, jsonToLex } from '@atproto/lexicon'

// Internal validator used for "named non-object defs" (see modeFor()). Same
// module instance as the one Lexicons uses (same resolved file URL).
const complexUrl = new URL(
  './validators/complex.js',
  import.meta.resolve('@atproto/lexicon'),
)
const { validateOneOf } = await import(complexUrl.href)

/** All *.json files under dir, recursively, in sorted (deterministic) order. */
export function listJsonFiles(dir) {
  const out = []
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (name.endsWith('.json')) out.push(p)
    }
  }
  walk(resolve(dir))
  return out
}

/**
 * Load every *.json lexicon doc under dir into a new Lexicons instance.
 * Like an XRPC server (`new Lexicons(docs)`), docs are NOT schema-checked.
 */
export function loadLexicons(dir) {
  const lex = new Lexicons()
  for (const file of listJsonFiles(dir)) {
    let doc
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'))
    } catch (e) {
      throw new Error(`${file}: not JSON: ${e.message}`)
    }
    try {
      lex.add(doc)
    } catch (e) {
      throw new Error(`${file}: cannot add lexicon: ${e.message}`)
    }
  }
  return lex
}

/** `NSID` or `NSID#name` -> { nsid, name, uri } (uri is the lex: URI of the def). */
export function parseDefArg(defArg) {
  const hashes = defArg.split('#')
  if (hashes.length > 2) throw new Error(`bad --def ${defArg}`)
  const nsid = hashes[0].replace(/^lex:/, '')
  const name = hashes[1] ?? 'main'
  return { nsid, name, uri: `lex:${nsid}#${name}` }
}

/**
 * Which reference entry point is used for a def (see SEMANTICS.md §1):
 *   record       -> lexicons.assertValidRecord(NSID, value)   ($type required!)
 *   query        -> lexicons.assertValidXrpcParams(uri, value)
 *   procedure    -> lexicons.assertValidXrpcInput(uri, value)
 *   subscription -> lexicons.assertValidXrpcMessage(uri, value)
 *   object       -> lexicons.validate(uri, value)
 *   anything else (string, array, token, blob, ...) -> validateOneOf(lexicons,
 *                   'Value', {type:'ref', ref: uri}, value), i.e. exactly what
 *                   happens when another def has `{"type":"ref","ref":uri}`.
 */
export const MODES = ['record', 'params', 'input', 'output', 'message', 'object', 'ref']

export function defaultMode(defType) {
  switch (defType) {
    case 'record':
      return 'record'
    case 'query':
      return 'params'
    case 'procedure':
      return 'input'
    case 'subscription':
      return 'message'
    case 'object':
      return 'object'
    default:
      return 'ref'
  }
}

/**
 * Returns a function (lexValue) => void that throws on invalid input.
 * `lexValue` must already be converted with jsonToLex.
 */
export function makeValidator(lexicons, defArg, mode) {
  const { nsid, name, uri } = parseDefArg(defArg)
  const def = lexicons.getDef(uri)
  if (!def) throw new Error(`def not found: ${uri}`)
  mode ??= defaultMode(def.type)
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}`)
  switch (mode) {
    case 'record':
      if (def.type !== 'record') throw new Error(`${uri} is not a record`)
      // Records only exist as `main`; the canonical id (no "#main") is what
      // $type is compared against (see SEMANTICS.md: "nsid#main" is rejected).
      if (name !== 'main') throw new Error('records must be main defs')
      return (v) => lexicons.assertValidRecord(nsid, v)
    case 'params':
      return (v) => lexicons.assertValidXrpcParams(uri, v)
    case 'input':
      return (v) => lexicons.assertValidXrpcInput(uri, v)
    case 'output':
      return (v) => lexicons.assertValidXrpcOutput(uri, v)
    case 'message':
      return (v) => lexicons.assertValidXrpcMessage(uri, v)
    case 'object':
      // NB: validate() *returns* {success, error} (it only throws for
      // non-objects and unknown defs); the assert* methods throw.
      return (v) => {
        const res = lexicons.validate(uri, v)
        if (!res.success) throw res.error
      }
    case 'ref': {
      const refDef = { type: 'ref', ref: uri }
      return (v) => {
        const res = validateOneOf(lexicons, 'Value', refDef, v)
        if (!res.success) throw res.error
      }
    }
  }
}

/** One-line, human-readable error text. */
export function errText(e) {
  let msg
  if (e && typeof e === 'object' && 'message' in e) {
    const n = e.constructor?.name
    msg = n === 'ValidationError' ? e.message : `[${n ?? 'Error'}] ${e.message}`
  } else {
    msg = String(e)
  }
  return msg.replace(/\r/g, '\\r').replace(/\n/g, '\\n')
}

/**
 * Full reference verdict for one JSON text (one input line).
 * Returns null when valid, else an error string.
 */
export function verdictForText(validator, text) {
  let json
  try {
    json = JSON.parse(text)
  } catch (e) {
    return `JSON parse error: ${errText(e)}`
  }
  return verdictForJson(validator, json)
}

/** Verdict for an already-JSON.parse'd value. */
export function verdictForJson(validator, json) {
  let lex
  try {
    lex = jsonToLex(json)
  } catch (e) {
    return `jsonToLex: ${errText(e)}`
  }
  try {
    validator(lex)
    return null
  } catch (e) {
    return errText(e)
  }
}
