#!/usr/bin/env node
// Fuzz-checks the executable Python models in this directory against the
// real reference code. Usage: node tools/ref/model/check_models.mjs [N] [seed]
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fromBase64 } from '@atproto/lex-data'
import { isDatetimeStringLenient } from '@atproto/syntax'
import { makeRng } from '../gen-lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.argv[2] ?? 100000)
const rng = makeRng(Number(process.argv[3] ?? 1))

function runPython(script, inputs) {
  const r = spawnSync('python3', [join(here, script)], {
    input: inputs.map((s) => JSON.stringify(s)).join('\n') + '\n',
    maxBuffer: 1 << 30,
  })
  if (r.status !== 0) throw new Error(r.stderr.toString())
  return r.stdout.toString().trimEnd().split('\n')
}

function compare(name, inputs, refFn, script) {
  const got = runPython(script, inputs)
  let bad = 0
  inputs.forEach((s, i) => {
    const want = refFn(s)
    if (want !== got[i]) {
      if (bad++ < 15) console.log(`${name} MISMATCH ${JSON.stringify(s)}: ref=${want} model=${got[i]}`)
    }
  })
  console.log(`${name}: ${inputs.length - bad} agreed, ${bad} disagreed`)
  return bad
}

// ---- base64 ($bytes) ----
const b64chars = [...'AQgw+/-_=', ' ', '\n', '!', '.', 'é', 'Ł', 'ŀ', 'ū', '\u0100', '\u013d', '😀', 'AAAA', 'QUJD', '==']
const b64 = []
for (let i = 0; i < N; i++) {
  const len = rng.int(0, 14)
  let s = ''
  for (let j = 0; j < len; j++) s += rng.pick(b64chars)
  b64.push(s)
}
const b64ref = (s) => {
  try {
    return JSON.stringify([...fromBase64(s)])
  } catch {
    return 'null'
  }
}
let bad = compare('base64', b64, b64ref, 'base64_model.py')

// ---- datetime ----
const { datetimeCandidates } = await import('../gen-lib.mjs')
const dts = datetimeCandidates(rng, N)
bad += compare('datetime', dts, (s) => String(isDatetimeStringLenient(s)), 'datetime_model.py')
process.exit(bad ? 1 : 0)
