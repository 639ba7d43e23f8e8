//! Tests of DID resolution against a fake PLC directory / did:web host; the fake is
//! shared with the auth tests.

pub(crate) mod fake_host;
mod resolver_tests;
