// Calls placehook through the reference PDS, as an ATProto app would: the official
// @atproto/api client logs in to the PDS as alice and as bob, and sends every
// place.stream.server.* method and the dev.placehook.* owner methods with
// `atproto-proxy: <placehook's DID>#<service id>` (agent.withProxy), once per service id.
// The PDS resolves placehook's did:web, signs a service-auth JWT for the account and
// forwards the call. The calls' outcomes are printed as ONE line of JSON on stdout, for
// the Rust test (tests/network) to check; this script checks nothing itself, so that
// every expectation lives in one place.
//
// Input, one JSON object on stdin:
//   {"pdsUrl", "serviceDid", "receiverUrl", "lexiconDir",
//    "serviceIds": ["placehook", "streamplace"],
//    "accounts": {"alice": {"handle", "password"}, "bob": {…}},
//    "probeDids": [did, …]}   (optional: one listWebhooks as alice to each, via #placehook)
// Output: {"calls": [{"via", "as", "step", "method", "ok", "status", "error", "message",
//   "data"}, …]}; `step` names the call within one service id's round (`via`), or is
//   "probe" (and `via` the DID) for a probe.
//
// Usage: tools/pds/node22/node_modules/.bin/node tools/pds/proxied-calls.mjs < input.json
import fs from 'node:fs'
import path from 'node:path'

import { AtpAgent } from '@atproto/api'

// How long to wait for a test delivery to finish before redelivering it.
const DELIVERY_WAIT_MS = 15_000

const input = JSON.parse(fs.readFileSync(0, 'utf8'))

// placehook's lexicons, which the official client needs to call (and to validate the
// answers of) methods it does not ship. The app.bsky.* / com.atproto.* files under
// lexicons/ are subsets of those it has, so only new ids are added.
function readLexicons(dir) {
  const docs = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.json')) {
      docs.push(JSON.parse(fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8')))
    }
  }
  return docs
}
const lexicons = readLexicons(input.lexiconDir)

/** An agent proxying to `<did>#<serviceId>`, knowing placehook's lexicons. */
function proxied(agent, serviceId, did = input.serviceDid) {
  const p = agent.withProxy(serviceId, did)
  for (const doc of lexicons) {
    if (!p.lex.get(doc.id)) p.lex.add(doc)
  }
  return p
}

async function login(name) {
  const { handle, password } = input.accounts[name]
  const agent = new AtpAgent({ service: input.pdsUrl })
  await agent.login({ identifier: handle, password })
  return agent
}

const calls = []

/** One XRPC call through the PDS, recorded whatever its outcome. */
async function call(via, as, agent, step, method, params, data) {
  const record = { via, as, step, method }
  try {
    const res = await agent.call(method, params, data)
    Object.assign(record, { ok: true, status: 200, data: res.data })
  } catch (err) {
    Object.assign(record, {
      ok: false,
      status: err.status ?? null,
      error: err.error ?? String(err),
      message: err.message ?? null,
    })
  }
  calls.push(record)
  return record
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** One round: every method, through `#<via>`. */
async function round(via, accounts) {
  const alice = proxied(accounts.alice, via)
  const bob = proxied(accounts.bob, via)
  const S = 'place.stream.server.'
  const D = 'dev.placehook.'
  const a = (step, method, params, data) => call(via, 'alice', alice, step, method, params, data)
  const b = (step, method, params, data) => call(via, 'bob', bob, step, method, params, data)

  const keep = await a('create keep', S + 'createWebhook', undefined, {
    url: `${input.receiverUrl}/${via}/keep`,
    events: ['chat', 'livestream'],
    active: true,
    name: `kept (${via})`,
  })
  const doomed = await a('create doomed', S + 'createWebhook', undefined, {
    url: `${input.receiverUrl}/${via}/doomed`,
    events: ['follow'],
    active: true,
  })
  const keepId = keep.data?.webhook?.id ?? 'missing'
  const doomedId = doomed.data?.webhook?.id ?? 'missing'

  await a('get keep', S + 'getWebhook', { id: keepId })
  await a('list', S + 'listWebhooks', { limit: 100 })
  await a('update keep', S + 'updateWebhook', undefined, { id: keepId, suffix: ' (via PDS)' })
  await a('rotate secret', D + 'rotateSecret', undefined, { id: keepId })
  const test = await a('test', D + 'testWebhook', undefined, { id: keepId, type: 'chat' })
  const deliveryId = test.data?.delivery?.id ?? 'missing'

  // Wait until the test delivery has been made: only a finished one can be redelivered.
  const deadline = Date.now() + DELIVERY_WAIT_MS
  let listed
  for (;;) {
    listed = await a('list deliveries', D + 'listDeliveries', { id: keepId })
    const status = listed.data?.deliveries?.find((d) => d.id === deliveryId)?.status
    if (status === 'succeeded' || !listed.ok || Date.now() > deadline) break
    calls.pop() // only the last poll is kept
    await sleep(100)
  }
  await a('redeliver', D + 'redeliver', undefined, { id: deliveryId })
  await a('describe', D + 'describeServer', {})
  await a('push event', D + 'pushEvent', undefined, {
    type: 'chat',
    subject: accounts.alice.session.did,
    author: accounts.alice.session.did,
    record: {
      $type: 'place.stream.chat.message',
      text: 'hello',
      streamer: accounts.alice.session.did,
      createdAt: new Date().toISOString(),
    },
  })

  // bob, with alice's ids: every one is a missing one to him.
  await b('list', S + 'listWebhooks', { limit: 100 })
  await b('get keep', S + 'getWebhook', { id: keepId })
  await b('update keep', S + 'updateWebhook', undefined, { id: keepId, suffix: '!' })
  await b('delete doomed', S + 'deleteWebhook', undefined, { id: doomedId })
  await b('rotate secret', D + 'rotateSecret', undefined, { id: keepId })
  await b('test', D + 'testWebhook', undefined, { id: keepId })
  await b('list deliveries', D + 'listDeliveries', { id: keepId })
  await b('redeliver', D + 'redeliver', undefined, { id: deliveryId })

  await a('delete doomed', S + 'deleteWebhook', undefined, { id: doomedId })
  await a('get doomed', S + 'getWebhook', { id: doomedId })
}

const accounts = { alice: await login('alice'), bob: await login('bob') }
for (const via of input.serviceIds) await round(via, accounts)
// One call as alice to each other DID given: placehooks expected to be unreachable.
for (const did of input.probeDids ?? []) {
  const agent = proxied(accounts.alice, 'placehook', did)
  await call(did, 'alice', agent, 'probe', 'place.stream.server.listWebhooks', { limit: 1 })
}
process.stdout.write(JSON.stringify({ calls }) + '\n')
