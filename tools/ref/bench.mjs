#!/usr/bin/env node
// Reference validation throughput, single thread.
//   node tools/ref/bench.mjs [--seconds 2] [--lexicons DIR]
// Prints {"chat_message_per_s": N, "create_webhook_per_s": M} on stdout.
//
// Inputs are tests/fixtures/bench/{chat_message,create_webhook}.json (shared
// with the Rust bench). "Already parsed" means JSON.parse + jsonToLex are done
// once up front; only the validation call is timed:
//   lexicons.assertValidRecord('place.stream.chat.message', value)
//   lexicons.assertValidXrpcInput('place.stream.server.createWebhook', value)
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jsonToLex } from '@atproto/lexicon'
import { loadLexicons, makeValidator } from './lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  return i === -1 ? dflt : args[i + 1]
}
const seconds = Number(opt('--seconds', '2'))
const lexDir = opt('--lexicons', join(root, 'lexicons'))
const benchDir = join(root, 'tests', 'fixtures', 'bench')

const lexicons = loadLexicons(lexDir)
const load = (f) => jsonToLex(JSON.parse(readFileSync(join(benchDir, f), 'utf8')))

function bench(name, validate, value) {
  validate(value) // must be valid, else throws here
  let sink = 0
  const run = (ms) => {
    const end = performance.now() + ms
    let n = 0
    while (performance.now() < end) {
      // amortise the clock read
      for (let i = 0; i < 256; i++) {
        const r = validate(value)
        if (r !== undefined) sink++
      }
      n += 256
    }
    return n
  }
  run(Math.max(300, seconds * 250)) // warm-up (JIT)
  const t0 = performance.now()
  const n = run(seconds * 1000)
  const dt = (performance.now() - t0) / 1000
  const rate = Math.round(n / dt)
  process.stderr.write(`${name}: ${n} validations in ${dt.toFixed(3)} s = ${rate}/s (sink ${sink > 0})\n`)
  return rate
}

const chat = bench(
  'chat_message',
  makeValidator(lexicons, 'place.stream.chat.message'),
  load('chat_message.json'),
)
const hook = bench(
  'create_webhook',
  makeValidator(lexicons, 'place.stream.server.createWebhook'),
  load('create_webhook.json'),
)
process.stdout.write(JSON.stringify({ chat_message_per_s: chat, create_webhook_per_s: hook }) + '\n')
