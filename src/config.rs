//! `placehook serve` settings: flags with matching `PLACEHOOK_*` environment variables,
//! validated once at start.

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};
use std::net::SocketAddr;
use std::time::Duration;

/// Settings for the XRPC server.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PLACEHOOK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// SQLite database: a file path or a `sqlite:` URL. Created and migrated on start.
    #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
    pub database: String,

    /// This service's own DID: the `aud` accepted in inter-service auth tokens (also with
    /// `#placehook` or `#streamplace`). A did:web of the public URL's host is served at
    /// `/.well-known/did.json`, so PDSes can proxy calls to it.
    #[arg(
        long,
        env = "PLACEHOOK_SERVICE_DID",
        default_value = "did:web:localhost"
    )]
    pub service_did: String,

    /// The URL clients and PDSes reach this server at (`http(s)://host[:port]`, no path):
    /// the service endpoint in its DID document. Default: `http://` and the address it
    /// listens on, e.g. `http://127.0.0.1:8080`.
    #[arg(long, env = "PLACEHOOK_PUBLIC_URL")]
    pub public_url: Option<url::Url>,

    /// PLC directory used to resolve did:plc identities.
    #[arg(
        long,
        env = "PLACEHOOK_PLC_URL",
        default_value = "https://plc.directory"
    )]
    pub plc_url: url::Url,

    /// Most webhooks one account may have.
    #[arg(long, env = "PLACEHOOK_MAX_WEBHOOKS_PER_OWNER", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_webhooks_per_owner: u32,

    /// Largest request body accepted, in bytes (larger: 413 PayloadTooLarge).
    #[arg(long, env = "PLACEHOOK_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Longest wait for a request's head (request line and headers), also the longest a
    /// kept-alive connection may sit idle; past it the connection is closed unanswered.
    #[arg(long, env = "PLACEHOOK_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_positive_duration)]
    pub header_read_timeout: Duration,

    /// Longest wait for a whole request body once its head has arrived (longer:
    /// 408 RequestTimeout).
    #[arg(long, env = "PLACEHOOK_BODY_READ_TIMEOUT", default_value = "30s", value_parser = parse_positive_duration)]
    pub body_read_timeout: Duration,

    /// Most client connections open at once; further connections wait, unaccepted, until
    /// one closes. Keep it well under the open-file limit (`ulimit -n`).
    #[arg(long, env = "PLACEHOOK_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Allow webhook URLs whose host is or resolves to a private, loopback, link-local or
    /// otherwise non-public address (for local development and tests).
    #[arg(long, env = "PLACEHOOK_ALLOW_PRIVATE_TARGETS", action = ArgAction::Set,
          num_args = 0..=1, default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    pub allow_private_targets: bool,

    /// Resolve did:web identities on loopback hosts over plain http (testing only).
    #[arg(long, env = "PLACEHOOK_DID_WEB_INSECURE_LOOPBACK", hide = true, action = ArgAction::Set,
          num_args = 0..=1, default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    pub did_web_insecure_loopback: bool,

    /// Seconds to let in-flight requests finish after SIGINT/SIGTERM.
    #[arg(long, env = "PLACEHOOK_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Delivery settings.
    #[command(flatten)]
    pub delivery: DeliveryArgs,

    /// Consume this Jetstream instance (repeat for failover, tried in turn), e.g.
    /// `wss://jetstream1.us-east.bsky.network/subscribe`. Without it, events come only
    /// from `dev.placehook.pushEvent`.
    #[arg(
        long = "jetstream-url",
        env = "PLACEHOOK_JETSTREAM_URL",
        value_delimiter = ','
    )]
    pub jetstream_urls: Vec<url::Url>,

    /// Consume this host's repo firehose (`com.atproto.sync.subscribeRepos` of a PDS or a
    /// relay; repeat for failover, tried in turn), e.g. `wss://bsky.network`. Commits are
    /// verified against each repo's signing key; may be given with `--jetstream-url`.
    #[arg(
        long = "firehose-url",
        env = "PLACEHOOK_FIREHOSE_URL",
        value_delimiter = ','
    )]
    pub firehose_urls: Vec<url::Url>,

    /// How far before its saved cursor the consumer resumes after a restart or
    /// reconnect (repeats are deduplicated).
    #[arg(long, env = "PLACEHOOK_JETSTREAM_REPLAY", default_value = "5s", value_parser = humantime::parse_duration)]
    pub jetstream_replay: Duration,

    /// AppView for profile avatars (`app.bsky.actor.getProfile`).
    #[arg(
        long,
        env = "PLACEHOOK_APPVIEW_URL",
        default_value = "https://public.api.bsky.app"
    )]
    pub appview_url: url::Url,
}

/// How deliveries are made and retried.
#[derive(Debug, Clone, Args)]
pub struct DeliveryArgs {
    /// Delivery requests in flight at once, across all webhooks (each webhook sends one
    /// at a time, in event order).
    #[arg(long, env = "PLACEHOOK_DELIVERY_CONCURRENCY", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub delivery_concurrency: u32,

    /// Connect timeout for a delivery.
    #[arg(long, env = "PLACEHOOK_DELIVERY_CONNECT_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub delivery_connect_timeout: Duration,

    /// Whole-request timeout for a delivery.
    #[arg(long, env = "PLACEHOOK_DELIVERY_TIMEOUT", default_value = "15s", value_parser = humantime::parse_duration)]
    pub delivery_timeout: Duration,

    /// Delays before each retry, comma-separated; attempts end with the schedule.
    #[arg(long, env = "PLACEHOOK_RETRY_SCHEDULE", default_value = "5s,30s,2m,10m,30m,1h,3h,6h,16h",
          value_parser = parse_schedule)]
    pub retry_schedule: Schedule,

    /// No attempt is made once a delivery is this old.
    #[arg(long, env = "PLACEHOOK_RETRY_MAX_AGE", default_value = "36h", value_parser = humantime::parse_duration)]
    pub retry_max_age: Duration,

    /// Spread of each retry delay, in percent either way.
    #[arg(long, env = "PLACEHOOK_RETRY_JITTER_PERCENT", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub retry_jitter_percent: u32,

    /// Longest Retry-After (429/503) honoured; longer waits are clamped to this.
    #[arg(long, env = "PLACEHOOK_MAX_RETRY_AFTER", default_value = "10m", value_parser = humantime::parse_duration)]
    pub max_retry_after: Duration,

    /// Switch a webhook off after this many consecutive failed attempts...
    #[arg(long, env = "PLACEHOOK_DISABLE_AFTER_FAILURES", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub disable_after_failures: u32,

    /// ...when they span at least this long (a 410 Gone switches it off at once).
    #[arg(long, env = "PLACEHOOK_DISABLE_AFTER", default_value = "24h", value_parser = humantime::parse_duration)]
    pub disable_after: Duration,

    /// Largest delivery body sent, in bytes.
    #[arg(long, env = "PLACEHOOK_MAX_PAYLOAD_BYTES", default_value_t = 64 * 1024)]
    pub max_payload_bytes: usize,

    /// Finished events and their delivery logs are kept this long.
    #[arg(long, env = "PLACEHOOK_RETENTION", default_value = "7d", value_parser = humantime::parse_duration)]
    pub retention: Duration,
}

/// A retry schedule as given on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule(pub Vec<Duration>);

fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_schedule(s: &str) -> Result<Schedule, String> {
    if s.trim().is_empty() || s.trim() == "none" {
        return Ok(Schedule(Vec::new()));
    }
    s.split(',')
        .map(|p| humantime::parse_duration(p.trim()).map_err(|e| format!("{p:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()
        .map(Schedule)
}

impl Default for DeliveryArgs {
    fn default() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            d: DeliveryArgs,
        }
        Wrap::parse_from(["placehook"]).d
    }
}

impl DeliveryArgs {
    /// The dispatcher's configuration.
    pub fn to_config(&self, allow_private: bool) -> crate::deliver::DeliveryConfig {
        use crate::deliver::{http::HttpConfig, retry::RetryPolicy, DeliveryConfig};
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        DeliveryConfig {
            concurrency: self.delivery_concurrency as usize,
            http: HttpConfig {
                connect_timeout: self.delivery_connect_timeout,
                timeout: self.delivery_timeout,
                allow_private,
            },
            retry: RetryPolicy {
                schedule: self.retry_schedule.0.clone(),
                max_age: self.retry_max_age,
                jitter: f64::from(self.retry_jitter_percent) / 100.0,
                max_retry_after: self.max_retry_after,
            },
            disable: crate::model::DisablePolicy {
                failures: i64::from(self.disable_after_failures),
                min_span_ms: ms(self.disable_after),
            },
            max_payload_bytes: self.max_payload_bytes,
            resolve_timeout: Duration::from_millis(2500),
            poll_interval: Duration::from_secs(1),
            retention: time::Duration::try_from(self.retention).unwrap_or(time::Duration::days(7)),
        }
    }
}

impl ServeConfig {
    /// Settings for tests and embedding: the database at `database`, everything else default.
    pub fn for_database(database: impl Into<String>) -> Self {
        ServeConfig {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            database: database.into(),
            service_did: "did:web:localhost".into(),
            public_url: None,
            plc_url: "https://plc.directory".parse().expect("valid URL"),
            max_webhooks_per_owner: 50,
            max_body_bytes: 64 * 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 512,
            allow_private_targets: false,
            did_web_insecure_loopback: false,
            shutdown_grace_secs: 10,
            delivery: DeliveryArgs::default(),
            jetstream_urls: Vec::new(),
            jetstream_replay: Duration::from_secs(5),
            firehose_urls: Vec::new(),
            appview_url: "https://public.api.bsky.app".parse().expect("valid URL"),
        }
    }

    /// The public URL: `--public-url`, or `http://` and `bound`, the address the server
    /// listens on (which names the port when `--listen` asked for port 0).
    pub fn public_url_for(&self, bound: SocketAddr) -> url::Url {
        match &self.public_url {
            Some(url) => url.clone(),
            None => url::Url::parse(&format!("http://{bound}"))
                .expect("a socket address makes a valid http URL"),
        }
    }

    /// Check settings that clap cannot.
    pub fn validate(&self) -> Result<(), String> {
        if placehook_lexrt::formats::did(&self.service_did).is_err() {
            return Err(format!("--service-did {:?} is not a DID", self.service_did));
        }
        if let Some(url) = &self.public_url {
            crate::service_did::check_public_url(url)?;
        }
        if !matches!(self.plc_url.scheme(), "http" | "https") {
            return Err("--plc-url must be an http(s) URL".into());
        }
        if let Some(u) = self
            .jetstream_urls
            .iter()
            .find(|u| !matches!(u.scheme(), "ws" | "wss"))
        {
            return Err(format!("--jetstream-url {u} must be a ws:// or wss:// URL"));
        }
        if let Some(u) = self
            .firehose_urls
            .iter()
            .find(|u| !matches!(u.scheme(), "ws" | "wss"))
        {
            return Err(format!("--firehose-url {u} must be a ws:// or wss:// URL"));
        }
        if !matches!(self.appview_url.scheme(), "http" | "https") {
            return Err("--appview-url must be an http(s) URL".into());
        }
        if self.max_body_bytes < 1024 {
            return Err("--max-body-bytes must be at least 1024".into());
        }
        if self.header_read_timeout.is_zero() || self.body_read_timeout.is_zero() {
            return Err(
                "--header-read-timeout and --body-read-timeout must be longer than zero".into(),
            );
        }
        if self.max_connections == 0 {
            return Err("--max-connections must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        c: ServeConfig,
    }

    fn parse(args: &[&str]) -> Result<ServeConfig, clap::Error> {
        let argv = std::iter::once("placehook").chain(args.iter().copied());
        Wrap::try_parse_from(argv).map(|w| w.c)
    }

    #[test]
    fn boolean_flags_take_the_usual_spellings() {
        for (arg, want) in [
            ("--allow-private-targets", true),
            ("--allow-private-targets=true", true),
            ("--allow-private-targets=1", true),
            ("--allow-private-targets=yes", true),
            ("--allow-private-targets=on", true),
            ("--allow-private-targets=false", false),
            ("--allow-private-targets=0", false),
            ("--allow-private-targets=no", false),
            ("--allow-private-targets=off", false),
        ] {
            let c = parse(&[arg]).unwrap_or_else(|e| panic!("{arg}: {e}"));
            assert_eq!(c.allow_private_targets, want, "{arg}");
            let other = arg.replace("allow-private-targets", "did-web-insecure-loopback");
            let c = parse(&[&other]).unwrap_or_else(|e| panic!("{other}: {e}"));
            assert_eq!(c.did_web_insecure_loopback, want, "{other}");
        }
        let c = parse(&["--allow-private-targets", "--listen", "127.0.0.1:1"]).unwrap();
        assert!(c.allow_private_targets, "a bare switch before another flag");
        assert_eq!(c.listen.port(), 1);
        let c = parse(&["--allow-private-targets", "0"]).unwrap();
        assert!(!c.allow_private_targets, "a separate value");
        let c = parse(&[]).unwrap();
        assert!(!c.allow_private_targets && !c.did_web_insecure_loopback);
        assert!(parse(&["--allow-private-targets=maybe"]).is_err());
    }

    #[test]
    fn firehose_urls_repeat_and_must_be_websockets() {
        let c = parse(&[
            "--firehose-url",
            "wss://relay.example",
            "--firehose-url",
            "wss://pds.example",
        ])
        .unwrap();
        assert_eq!(c.firehose_urls.len(), 2);
        assert!(c.validate().is_ok());
        let c = parse(&["--firehose-url", "https://relay.example"]).unwrap();
        assert!(c.validate().unwrap_err().contains("--firehose-url"));
    }

    #[test]
    fn connection_limits_parse_and_reject_zero() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.body_read_timeout, Duration::from_secs(30));
        assert_eq!(c.max_connections, 512);
        let c = parse(&["--header-read-timeout", "250ms", "--max-connections", "8"]).unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_millis(250));
        assert_eq!(c.max_connections, 8);
        assert!(parse(&["--body-read-timeout", "0s"]).is_err());
        assert!(parse(&["--max-connections", "0"]).is_err());
    }

    #[test]
    fn public_url_is_given_or_derived_from_the_bound_address() {
        let bound: SocketAddr = "127.0.0.1:48502".parse().unwrap();
        let c = parse(&[]).unwrap();
        assert_eq!(c.public_url, None);
        assert_eq!(c.public_url_for(bound).as_str(), "http://127.0.0.1:48502/");
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        assert_eq!(c.public_url_for(v6).as_str(), "http://[::1]:8080/");
        let c = parse(&["--public-url", "https://hooks.example"]).unwrap();
        assert_eq!(c.public_url_for(bound).as_str(), "https://hooks.example/");
        assert_eq!(c.validate(), Ok(()));
        let c = parse(&["--public-url", "https://hooks.example/sub"]).unwrap();
        assert!(c.validate().unwrap_err().contains("no path"));
        assert!(parse(&["--public-url", "not a url"]).is_err());
    }
}
