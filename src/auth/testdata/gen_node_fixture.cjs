// Regenerates node_tokens.json: service-auth JWTs minted by the official
// @atproto/crypto + @atproto/xrpc-server packages, used by the Rust
// cross-check test (src/auth/tests/node_fixture.rs).
//
//   npm i @atproto/xrpc-server @atproto/crypto
//   NODE_PATH=./node_modules node src/auth/testdata/gen_node_fixture.cjs > src/auth/testdata/node_tokens.json
const { Secp256k1Keypair, P256Keypair } = require('@atproto/crypto')
const { createServiceJwt } = require('@atproto/xrpc-server')

const AUD = 'did:web:placehook.example'
const LXM = 'place.stream.server.createWebhook'
const EXP = 4102444800 // 2100-01-01T00:00:00Z, so the fixture never expires

async function entry(keypair, did) {
  const multikey = keypair.did().slice('did:key:'.length)
  const didDoc = {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1',
    ],
    id: did,
    alsoKnownAs: ['at://fixture.example'],
    verificationMethod: [
      { id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase: multikey },
    ],
    service: [
      { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example' },
    ],
  }
  const token = await createServiceJwt({ iss: did, aud: AUD, lxm: LXM, exp: EXP, keypair })
  return { alg: keypair.jwtAlg, did, didDoc, token }
}

;(async () => {
  const k = await Secp256k1Keypair.create()
  const p = await P256Keypair.create()
  const out = {
    aud: AUD,
    lxm: LXM,
    tokens: [
      await entry(k, 'did:plc:nodefixturekaaaaaaaaaaaa'),
      await entry(p, 'did:plc:nodefixturepaaaaaaaaaaaa'),
    ],
  }
  console.log(JSON.stringify(out, null, 2))
})()
