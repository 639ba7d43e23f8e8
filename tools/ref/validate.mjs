#!/usr/bin/env node
// Reference validator: node tools/ref/validate.mjs --lexicons DIR --def NSID[#name] [--mode M]
//
// Reads JSON Lines from stdin; prints exactly one line per input line, in
// order: `valid` or `invalid: <message>`. See SEMANTICS.md §1 for how a def is
// validated (record / query params / procedure input / object / other defs).
//
// Line splitting: on "\n" only (a "\r" before it is JSON whitespace). A final
// line without "\n" counts if non-empty. Every line (also an empty one) gets
// exactly one output line. A line that is not valid UTF-8 is `invalid`.
import { loadLexicons, makeValidator, MODES, verdictForText } from './lib.mjs'

// Invalid inputs construct ValidationErrors; their stack traces are never
// used here and cost ~10% of the run time. (Does not affect verdicts.)
Error.stackTraceLimit = 0

function usage(msg) {
  if (msg) process.stderr.write(`validate.mjs: ${msg}\n`)
  process.stderr.write(
    `usage: node validate.mjs --lexicons DIR --def NSID[#name] [--mode ${MODES.join('|')}]\n`,
  )
  process.exit(2)
}

const args = process.argv.slice(2)
let lexDir, defArg, mode
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  const next = () => args[++i] ?? usage(`${a} needs a value`)
  if (a === '--lexicons') lexDir = next()
  else if (a === '--def') defArg = next()
  else if (a === '--mode') mode = next()
  else if (a === '-h' || a === '--help') usage()
  else usage(`unknown argument ${a}`)
}
if (!lexDir || !defArg) usage('--lexicons and --def are required')

let validator
try {
  validator = makeValidator(loadLexicons(lexDir), defArg, mode)
} catch (e) {
  usage(e.message)
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const out = []
let outLen = 0

function handleLine(buf) {
  let text
  try {
    text = decoder.decode(buf)
  } catch {
    return 'invalid: input line is not valid UTF-8'
  }
  const err = verdictForText(validator, text)
  return err === null ? 'valid' : `invalid: ${err}`
}

async function flush() {
  if (out.length === 0) return
  const s = out.join('\n') + '\n'
  out.length = 0
  outLen = 0
  if (!process.stdout.write(s)) {
    await new Promise((r) => process.stdout.once('drain', r))
  }
}

async function emit(line) {
  out.push(line)
  outLen += line.length
  if (outLen > 1 << 16) await flush()
}

let pending = null // Buffer holding an incomplete line
for await (const chunk of process.stdin) {
  let buf = pending ? Buffer.concat([pending, chunk]) : chunk
  let start = 0
  let nl
  while ((nl = buf.indexOf(10, start)) !== -1) {
    await emit(handleLine(buf.subarray(start, nl)))
    start = nl + 1
  }
  pending = start < buf.length ? buf.subarray(start) : null
}
if (pending && pending.length > 0) await emit(handleLine(pending))
await flush()
