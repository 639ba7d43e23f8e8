//! Tests of the auth module against a fake PLC directory / did:web host.

mod harness;
mod node_fixture;
mod signature_tests;
mod verifier_tests;
