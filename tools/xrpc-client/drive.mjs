// Drives placehook's place.stream.server.* webhook API with the official
// TypeScript XRPC client (@atproto/xrpc's XrpcClient), lexicons loaded from the
// repo's lexicons/ directory. Run by tests/ts_client.rs against a live server.
//
//   node drive.mjs BASE_URL TOKEN_A TOKEN_B
//
// Every request goes through XrpcClient.call(). That client (0.8.x) does not
// validate params or input before sending (so invalid input reaches the server
// and the server's 400 is what is checked), and it validates every successful
// response against the method's output schema (so malformed output fails).
// Prints one line per check; exits non-zero on the first failure.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lexicons } from '@atproto/lexicon'
import { XrpcClient, XRPCError } from '@atproto/xrpc'

const [base, tokenA, tokenB] = process.argv.slice(2)
if (!base || !tokenA || !tokenB) {
  console.error('usage: node drive.mjs BASE_URL TOKEN_A TOKEN_B')
  process.exit(2)
}

const lexDir = fileURLToPath(new URL('../../lexicons/', import.meta.url))
const docs = readdirSync(lexDir, { recursive: true })
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(lexDir, f), 'utf8')))
const lex = new Lexicons(docs)

/** A client acting as the holder of `token`. */
const clientFor = (token) =>
  new XrpcClient(
    { service: base, headers: { authorization: `Bearer ${token}` } },
    lex,
  )
const a = clientFor(tokenA)
const b = clientFor(tokenB)

const NS = 'place.stream.server.'
const query = (c, name, params) => c.call(NS + name, params)
const proc = (c, name, input) => c.call(NS + name, undefined, input)

let n = 0
async function check(name, fn) {
  try {
    await fn()
  } catch (e) {
    console.log(`FAIL ${name}`)
    console.error(e)
    process.exit(1)
  }
  n++
  console.log(`ok   ${name}`)
}

/** Assert `promise` rejects with an XRPCError of this name and HTTP status. */
async function rejectsWith(promise, error, status) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof XRPCError, `not an XRPCError: ${e}`)
    assert.equal(e.error, error, `error name (message: ${e.message})`)
    assert.equal(e.status, status, `status (error ${e.error}: ${e.message})`)
    assert.ok(e.message, 'has a message')
    return true
  })
}

const url = 'http://127.0.0.1:9/hook'
let hook

await check('createWebhook returns the webhook with an id', async () => {
  const res = await proc(a, 'createWebhook', {
    url,
    events: ['chat'],
    active: true,
    prefix: '[p] ',
  })
  assert.equal(res.success, true)
  hook = res.data.webhook
  assert.equal(typeof hook.id, 'string')
  assert.ok(hook.id.length > 0)
  assert.equal(hook.url, url)
  assert.deepEqual(hook.events, ['chat'])
  assert.equal(hook.active, true)
  assert.equal(hook.prefix, '[p] ')
})

await check('getWebhook returns it', async () => {
  const res = await query(a, 'getWebhook', { id: hook.id })
  assert.deepEqual(res.data.webhook, hook)
})

await check("listWebhooks event='chat' contains it", async () => {
  const res = await query(a, 'listWebhooks', { event: 'chat' })
  assert.ok(
    res.data.webhooks.some((w) => w.id === hook.id),
    JSON.stringify(res.data),
  )
})

await check('listWebhooks limit=1 pages through 3 webhooks by cursor', async () => {
  for (const path of ['/hook2', '/hook3']) {
    await proc(a, 'createWebhook', {
      url: `http://127.0.0.1:9${path}`,
      events: ['livestream'],
    })
  }
  const seen = []
  let cursor
  for (let page = 0; ; page++) {
    assert.ok(page < 10, 'cursor never ran out')
    const res = await query(a, 'listWebhooks', { limit: 1, cursor })
    assert.ok(res.data.webhooks.length <= 1, JSON.stringify(res.data))
    seen.push(...res.data.webhooks.map((w) => w.id))
    cursor = res.data.cursor
    if (cursor === undefined) break
  }
  assert.equal(seen.length, 3, JSON.stringify(seen))
  assert.equal(new Set(seen).size, 3, JSON.stringify(seen))
  assert.ok(seen.includes(hook.id))
})

await check('updateWebhook is partial (suffix set, prefix unchanged)', async () => {
  const res = await proc(a, 'updateWebhook', { id: hook.id, suffix: ' [s]' })
  const w = res.data.webhook
  assert.equal(w.id, hook.id)
  assert.equal(w.suffix, ' [s]')
  assert.equal(w.prefix, '[p] ')
  assert.equal(w.url, url)
  assert.deepEqual(w.events, ['chat'])
  assert.equal(w.active, true)
  const got = await query(a, 'getWebhook', { id: hook.id })
  assert.deepEqual(got.data.webhook, w)
})

await check('getWebhook of a missing id: XRPCError WebhookNotFound 404', async () => {
  await rejectsWith(query(a, 'getWebhook', { id: 'no-such-webhook' }), 'WebhookNotFound', 404)
})

await check("another account gets WebhookNotFound for A's webhook", async () => {
  await rejectsWith(query(b, 'getWebhook', { id: hook.id }), 'WebhookNotFound', 404)
  await rejectsWith(proc(b, 'deleteWebhook', { id: hook.id }), 'WebhookNotFound', 404)
  const res = await query(b, 'listWebhooks', {})
  assert.deepEqual(res.data.webhooks, [])
})

await check('creating a duplicate: DuplicateWebhook', async () => {
  await assert.rejects(proc(a, 'createWebhook', { url, events: ['chat'] }), (e) => {
    assert.ok(e instanceof XRPCError, `not an XRPCError: ${e}`)
    assert.equal(e.error, 'DuplicateWebhook', e.message)
    assert.ok(e.status >= 400 && e.status < 500, `status ${e.status}`)
    return true
  })
})

await check('prefix over 100 bytes: server answers 400 InvalidRequest', async () => {
  await rejectsWith(
    proc(a, 'createWebhook', {
      url: 'http://127.0.0.1:9/too-long',
      events: ['chat'],
      prefix: 'x'.repeat(101),
    }),
    'InvalidRequest',
    400,
  )
})

await check('deleteWebhook returns success; a second get is 404', async () => {
  const res = await proc(a, 'deleteWebhook', { id: hook.id })
  assert.equal(res.data.success, true)
  await rejectsWith(query(a, 'getWebhook', { id: hook.id }), 'WebhookNotFound', 404)
})

console.log(`all ${n} checks passed`)
