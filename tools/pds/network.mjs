// The reference ATProto network on localhost, for placehook's integration tests: a PLC
// directory and a PDS (TestNetworkNoAppView of @atproto/dev-env), with the accounts
// alice.test and bob.test. Prints ONE line of JSON on stdout once they exist:
//   {"plcUrl","pdsUrl","accounts":{"alice":{"did","handle","password","accessJwt"},"bob":{…}}}
// then runs until stdin closes (the parent's end of a pipe, however it dies), SIGTERM or
// SIGINT, and shuts the network down. All logging goes to stderr.
//
// Usage (after install.sh): tools/pds/node22/node_modules/.bin/node tools/pds/network.mjs
//   --ignore-stdin   run until a signal only (for a shell, where stdin may be /dev/null)
//
// Proxying (`atproto-proxy: did:web:localhost%3A<port>#<service>`) needs no setting here:
// dev-env runs the PDS with devMode and disableSsrfProtection, so it resolves a did:web on
// localhost over http and forwards to loopback addresses.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const ACCOUNTS = ['alice', 'bob']
const CLOSE_TIMEOUT_MS = 10_000

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  console.error(
    `tools/pds/network.mjs: needs Node >= 22 (this is ${process.version});` +
      ' run it with tools/pds/node22/node_modules/.bin/node after tools/pds/install.sh',
  )
  process.exit(1)
}

// stdout carries the one JSON line: console output goes to stderr, and so do the pino
// loggers of the PDS and PLC, whose default is stdout, when LOG_ENABLED turns them on.
console.log = console.info = console.debug = console.error
if (process.env.LOG_ENABLED && !process.env.LOG_DESTINATION) {
  process.env.LOG_DESTINATION = '/dev/stderr'
}
// dev-env puts the PDS's databases and blobstore under os.tmpdir(): a folder of our own,
// removed at exit.
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'placehook-pds-'))
process.env.TMPDIR = workDir

const stop = new Promise((resolve) => {
  process.once('SIGTERM', () => resolve('SIGTERM'))
  process.once('SIGINT', () => resolve('SIGINT'))
  if (!process.argv.includes('--ignore-stdin')) {
    process.stdin.on('data', () => {})
    process.stdin.once('end', () => resolve('stdin closed'))
    process.stdin.once('error', () => resolve('stdin error'))
  }
})

// Imported only now: the loggers read LOG_* when they load.
const { TestNetworkNoAppView } = await import('@atproto/dev-env')
const { AtpAgent } = await import('@atproto/api')

async function createAccount(pdsUrl, name) {
  const handle = `${name}.test`
  const password = `${name}-password`
  const agent = new AtpAgent({ service: pdsUrl })
  const { data } = await agent.com.atproto.server.createAccount({
    handle,
    email: `${name}@test.com`,
    password,
  })
  return { did: data.did, handle: data.handle, password, accessJwt: data.accessJwt }
}

async function closeNetwork(network) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('close timed out')), CLOSE_TIMEOUT_MS)
  })
  try {
    await Promise.race([network.close(), timeout])
  } finally {
    clearTimeout(timer)
  }
}

let network
let code = 0
try {
  const started = performance.now()
  network = await TestNetworkNoAppView.create({})
  const pdsUrl = network.pds.url
  const accounts = {}
  for (const name of ACCOUNTS) accounts[name] = await createAccount(pdsUrl, name)
  process.stdout.write(JSON.stringify({ plcUrl: network.plc.url, pdsUrl, accounts }) + '\n')
  const ms = Math.round(performance.now() - started)
  console.error(`tools/pds/network.mjs: PLC ${network.plc.url}, PDS ${pdsUrl}, up in ${ms} ms`)
  console.error(`tools/pds/network.mjs: ${await stop}; shutting down`)
} catch (err) {
  console.error('tools/pds/network.mjs:', err)
  code = 1
}
try {
  if (network) await closeNetwork(network)
} catch (err) {
  console.error('tools/pds/network.mjs: shutting down:', err)
  code = 1
}
fs.rmSync(workDir, { recursive: true, force: true })
process.exit(code)
