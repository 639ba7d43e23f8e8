#!/usr/bin/env node
// Compare verdict files: node tools/ref/compare.mjs REF GOT INPUT
//
// REF is tools/ref/validate.mjs's output, GOT is `placehook lex validate`'s, INPUT the
// JSON Lines both read. Two lines agree when both are `valid`, or both are invalid *at
// the same place*: the same JSON path of the offending value and, for a missing
// property, the same property name. The wording after the path may differ
// (placehook says "1 byte" where the reference says "1 characters").
//
// Prints up to 20 disagreements and a final line "N agreed, M disagreed";
// exit status 0 if all agree, 1 otherwise, 2 on usage errors.
import { readFileSync } from 'node:fs'

const [refFile, gotFile, inFile] = process.argv.slice(2)
if (!inFile) {
  process.stderr.write('usage: node compare.mjs REF GOT INPUT\n')
  process.exit(2)
}
const lines = (f) => {
  const s = readFileSync(f, 'utf8')
  const a = s.split('\n')
  if (a.at(-1) === '') a.pop()
  return a
}
const ref = lines(refFile)
const got = lines(gotFile)
const input = lines(inFile)

// Roots the reference puts before a path (SEMANTICS.md §1); query params have none.
const ROOTS = new Set(['Record', 'Input', 'Output', 'Message', 'Object', 'Value', 'Params'])
const MISSING = /^must have the property "(.*)"$/

/**
 * Where a verdict line says the value is wrong, as a comparable string:
 * `valid`, `json` (not JSON at all), `other` (no path to compare), or
 * `at <segments>` with ` missing <name>` for a missing property.
 */
function refPlace(line) {
  if (line === 'valid') return 'valid'
  const msg = line.startsWith('invalid: ') ? line.slice(9) : null
  if (msg === null) return `bad line: ${line}`
  if (msg.startsWith('JSON parse error') || msg.includes('not valid UTF-8')) return 'json'
  if (msg.startsWith('jsonToLex: ') || msg.startsWith('[')) return 'other'
  // assertValidRecord's own check, without a path.
  if (msg.startsWith('Invalid $type: ')) return 'at /$type'
  const sp = msg.indexOf(' ')
  if (sp < 0) return 'other'
  const segs = msg.slice(0, sp).split('/')
  if (ROOTS.has(segs[0])) segs.shift()
  return place(segs, msg.slice(sp + 1))
}

/** The same for placehook's `invalid: <$-path>: <reason>` lines. */
function gotPlace(line) {
  if (line === 'valid') return 'valid'
  const msg = line.startsWith('invalid: ') ? line.slice(9) : null
  if (msg === null) return `bad line: ${line}`
  if (msg.startsWith('$: invalid JSON')) return 'json'
  const parsed = parseDollarPath(msg)
  if (!parsed) return `unparsed: ${msg}`
  return place(parsed.segs, parsed.rest)
}

function place(segs, reason) {
  const m = MISSING.exec(reason)
  return `at /${segs.join('/')}${m ? ` missing ${m[1]}` : ''}`
}

/** `$.a[0]["b c"]: reason` -> { segs: ['a', '0', 'b c'], rest: 'reason' } */
function parseDollarPath(s) {
  if (s[0] !== '$') return null
  const segs = []
  let i = 1
  for (;;) {
    if (s.startsWith(': ', i)) return { segs, rest: s.slice(i + 2) }
    if (s[i] === '.') {
      let j = i + 1
      while (j < s.length && /[A-Za-z0-9_$]/.test(s[j])) j++
      if (j === i + 1) return null
      segs.push(s.slice(i + 1, j))
      i = j
    } else if (s[i] === '[' && s[i + 1] === '"') {
      // A JSON string, then `]`.
      let j = i + 2
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1
      try {
        segs.push(JSON.parse(s.slice(i + 1, j + 1)))
      } catch {
        return null
      }
      if (s[j + 1] !== ']') return null
      i = j + 2
    } else if (s[i] === '[') {
      const j = s.indexOf(']', i)
      if (j < 0 || !/^\d+$/.test(s.slice(i + 1, j))) return null
      segs.push(s.slice(i + 1, j))
      i = j + 1
    } else {
      return null
    }
  }
}

let agreed = 0
let disagreed = 0
let shown = 0
const n = Math.max(ref.length, got.length)
for (let k = 0; k < n; k++) {
  const r = ref[k] ?? '<missing line>'
  const g = got[k] ?? '<missing line>'
  const rp = refPlace(r)
  const gp = gotPlace(g)
  // `other`: the reference failed outside the validator; only the verdict can compare.
  const same = rp === gp || (rp === 'other' && gp !== 'valid' && !gp.startsWith('bad line'))
  if (same && ref[k] !== undefined && got[k] !== undefined) {
    agreed++
    continue
  }
  disagreed++
  if (shown < 20) {
    shown++
    let inp = input[k] ?? '<missing input>'
    if (inp.length > 2000) inp = inp.slice(0, 2000) + '...(truncated)'
    process.stdout.write(
      `MISMATCH line ${k + 1}\n  input:     ${inp}\n  reference: ${r}\n  placehook: ${g}\n` +
        `  places:    ${rp} | ${gp}\n`,
    )
  }
}
if (got.length > ref.length) {
  process.stdout.write(`placehook printed ${got.length - ref.length} extra line(s)\n`)
}
process.stdout.write(`${agreed} agreed, ${disagreed} disagreed\n`)
process.exit(disagreed > 0 ? 1 : 0)
