//! Integration tests of the XRPC API: the real server on port 0, a temp SQLite file, a
//! real HTTP client.

mod support;
