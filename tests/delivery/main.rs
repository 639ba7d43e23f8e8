//! Integration tests of delivery: the real server and dispatcher, a real SQLite file, a
//! fake receiver on loopback that can be told what to answer.

mod basics;
mod disabling;
mod hostile;
mod ordering;
mod owner;
mod receiver;
mod retries;
mod signing;
mod ssrf;
mod support;
