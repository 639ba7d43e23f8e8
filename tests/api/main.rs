//! Integration tests of the XRPC API: the real server on port 0, a temp SQLite file, a
//! real HTTP client.

mod auth;
mod concurrency;
mod connections;
mod did_document;
mod event_sets;
mod fake_did;
mod fuzz;
mod hostile;
mod http_errors;
mod isolation;
mod methods;
mod pagination;
mod raw;
mod serve_cli;
mod support;
