// Writes records to the reference PDS as its accounts, as an ATProto app would, for
// placehook's firehose test (tests/network/firehose.rs): the official @atproto/api
// client logs in to the PDS as alice and as bob, then runs one command per line of
// stdin and answers each with one line of JSON on stdout, in order. The Rust test
// drives it step by step (writing, then waiting for what placehook delivers), so the
// script checks nothing itself: every expectation lives in the test.
//
// Input: the first line is {"pdsUrl", "accounts": {"alice": {"handle", "password"},
// "bob": {…}}}; every later line is a command, {"as": "alice" | "bob", "op", …}:
//   {"op": "create", "collection", "record", "rkey"?}   com.atproto.repo.createRecord
//   {"op": "put", "collection", "rkey", "record"}       com.atproto.repo.putRecord
//   {"op": "delete", "collection", "rkey"}              com.atproto.repo.deleteRecord
//   {"op": "upload", "base64", "mimeType"}              com.atproto.repo.uploadBlob
//   {"op": "createMany", "collection", "records": […]}  one createRecord each, in order
//   {"op": "updateHandle", "handle"}                    com.atproto.identity.updateHandle
// Output, per command: {"ok": true, "data", "startedAt", "finishedAt"} (times in ms
// since the epoch, taken just before the first request and after the last answer), or
// {"ok": false, "error", "status", "message"}. "data" is the XRPC answer (uri, cid; the
// blob ref for upload; the count for createMany).
//
// Usage: tools/pds/node22/node_modules/.bin/node tools/pds/write-records.mjs
import readline from 'node:readline'

import { AtpAgent } from '@atproto/api'

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
const iterator = lines[Symbol.asyncIterator]()
const setup = JSON.parse((await iterator.next()).value)

async function login(name) {
  const { handle, password } = setup.accounts[name]
  const agent = new AtpAgent({ service: setup.pdsUrl })
  await agent.login({ identifier: handle, password })
  return agent
}
const agents = { alice: await login('alice'), bob: await login('bob') }

/** Runs one command; its XRPC answer's data. */
async function run(cmd) {
  const agent = agents[cmd.as]
  const repo = agent.session.did
  const api = agent.com.atproto.repo
  switch (cmd.op) {
    case 'create': {
      const input = { repo, collection: cmd.collection, record: cmd.record }
      if (cmd.rkey) input.rkey = cmd.rkey
      return (await api.createRecord(input)).data
    }
    case 'put':
      return (
        await api.putRecord({ repo, collection: cmd.collection, rkey: cmd.rkey, record: cmd.record })
      ).data
    case 'delete':
      return (await api.deleteRecord({ repo, collection: cmd.collection, rkey: cmd.rkey })).data
    case 'upload': {
      const bytes = Buffer.from(cmd.base64, 'base64')
      const { data } = await api.uploadBlob(bytes, { encoding: cmd.mimeType })
      // The BlobRef as it goes into a record ({$type: blob, ref: {$link}, mimeType, size}).
      return { blob: data.blob.toJSON() }
    }
    case 'createMany': {
      // One commit per record, as many clients writing chat would make them.
      for (const record of cmd.records) {
        await api.createRecord({ repo, collection: cmd.collection, record })
      }
      return { count: cmd.records.length }
    }
    case 'updateHandle':
      // The PDS updates the DID document in the PLC directory, then sends #identity.
      await agent.com.atproto.identity.updateHandle({ handle: cmd.handle })
      return {}
    default:
      throw new Error(`unknown op ${cmd.op}`)
  }
}

for await (const line of iterator) {
  if (!line.trim()) continue
  const cmd = JSON.parse(line)
  const startedAt = Date.now()
  let answer
  try {
    const data = await run(cmd)
    answer = { ok: true, data, startedAt, finishedAt: Date.now() }
  } catch (err) {
    answer = {
      ok: false,
      status: err.status ?? null,
      error: err.error ?? String(err),
      message: err.message ?? null,
    }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
