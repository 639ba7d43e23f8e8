//! Authentication through the real server: API tokens and inter-service auth JWTs
//! signed with real keys, resolved from a fake PLC directory and a did:web host.

use crate::fake_did::FakeDidHost;
use crate::support::{assert_xrpc_error, read, spawn_app_with, App};
use placehook::auth::testing::{mint_jwt, mint_jwt_with_header, service_claims, Alg, SigningKey};
use serde_json::json;

const SERVICE: &str = "did:web:hooks.placehook.test";
const LIST: &str = "place.stream.server.listWebhooks";
const CREATE: &str = "place.stream.server.createWebhook";

async fn app_with(plc: &FakeDidHost) -> App {
    let plc_url = plc.url();
    spawn_app_with(move |c| {
        c.allow_private_targets = true;
        c.service_did = SERVICE.into();
        c.plc_url = plc_url.parse().unwrap();
        c.did_web_insecure_loopback = true;
    })
    .await
}

async fn list_with(
    app: &App,
    auth: Option<&str>,
) -> (reqwest::StatusCode, serde_json::Value, Option<String>) {
    let mut req = app.http.get(format!("{}/xrpc/{LIST}", app.base));
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let res = req.send().await.unwrap();
    let www = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let (status, body) = read(res).await;
    (status, body, www)
}

#[tokio::test]
async fn a_jwt_from_a_plc_account_acts_for_its_did() {
    let plc = FakeDidHost::start().await;
    let app = app_with(&plc).await;
    for alg in [Alg::Es256k, Alg::Es256] {
        let (did, key) = plc.plc_account(alg);
        let jwt = mint_jwt(alg, &key, &service_claims(&did, SERVICE, CREATE, 60));
        let (status, body) = app
            .post(
                CREATE,
                Some(&jwt),
                &json!({"url": "http://127.0.0.1:9/h", "events": ["chat"]}),
            )
            .await;
        assert_eq!(status, 200, "{alg:?}: {body}");
        let id = body["webhook"]["id"].as_str().unwrap();
        let owned = app.store.get_webhook(&did, id).await.unwrap();
        assert!(owned.is_some(), "the webhook belongs to the JWT's issuer");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_jwt_from_a_did_web_account_is_accepted() {
    let host = FakeDidHost::start().await;
    let app = app_with(&host).await;
    let did = host.web_did();
    let key = SigningKey::generate(Alg::Es256k);
    host.publish(&did, &key);
    let jwt = mint_jwt(Alg::Es256k, &key, &service_claims(&did, SERVICE, LIST, 60));
    let (status, body, _) = list_with(&app, Some(&format!("Bearer {jwt}"))).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_on_signature_failure() {
    let plc = FakeDidHost::start().await;
    let app = app_with(&plc).await;
    let (did, old) = plc.plc_account(Alg::Es256k);
    let jwt = mint_jwt(Alg::Es256k, &old, &service_claims(&did, SERVICE, LIST, 60));
    assert_eq!(list_with(&app, Some(&format!("Bearer {jwt}"))).await.0, 200);
    let new = SigningKey::generate(Alg::Es256k);
    plc.publish(&did, &new);
    let jwt = mint_jwt(Alg::Es256k, &new, &service_claims(&did, SERVICE, LIST, 60));
    let (status, body, _) = list_with(&app, Some(&format!("Bearer {jwt}"))).await;
    assert_eq!(status, 200, "cached key is re-resolved once: {body}");
    app.stop().await;
}

#[tokio::test]
async fn every_rejection_is_a_401_with_its_own_message() {
    let plc = FakeDidHost::start().await;
    let app = app_with(&plc).await;
    let (did, key) = plc.plc_account(Alg::Es256k);
    let other = SigningKey::generate(Alg::Es256k);
    let claims = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut c = service_claims(&did, SERVICE, LIST, 60);
        f(&mut c);
        c
    };
    let now = service_claims(&did, SERVICE, LIST, 0)["iat"]
        .as_i64()
        .unwrap();
    let replayed = mint_jwt(Alg::Es256k, &key, &claims(&|_| {}));
    assert_eq!(
        list_with(&app, Some(&format!("Bearer {replayed}"))).await.0,
        200
    );
    let (unknown_did, unknown_key) = {
        let k = SigningKey::generate(Alg::Es256k);
        ("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".to_string(), k)
    };
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no header", None),
        ("not bearer", Some("Basic dXNlcjpwdw==".into())),
        ("unknown api token", Some("Bearer ph_doesnotexist".into())),
        ("garbage jwt", Some("Bearer abc.def".into())),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                mint_jwt(Alg::Es256k, &key, &claims(&|c| c["exp"] = json!(now - 600)))
            )),
        ),
        (
            "wrong aud",
            Some(format!(
                "Bearer {}",
                mint_jwt(
                    Alg::Es256k,
                    &key,
                    &claims(&|c| c["aud"] = json!("did:web:elsewhere.test"))
                )
            )),
        ),
        (
            "no lxm",
            Some(format!(
                "Bearer {}",
                mint_jwt(
                    Alg::Es256k,
                    &key,
                    &claims(&|c| {
                        c.as_object_mut().unwrap().remove("lxm");
                    })
                )
            )),
        ),
        (
            "other lxm",
            Some(format!(
                "Bearer {}",
                mint_jwt(Alg::Es256k, &key, &claims(&|c| c["lxm"] = json!(CREATE)))
            )),
        ),
        (
            "wrong key",
            Some(format!(
                "Bearer {}",
                mint_jwt(Alg::Es256k, &other, &claims(&|_| {}))
            )),
        ),
        (
            "alg mismatch",
            Some(format!(
                "Bearer {}",
                mint_jwt(Alg::Es256, &key, &claims(&|_| {}))
            )),
        ),
        (
            "at+jwt typ",
            Some(format!(
                "Bearer {}",
                mint_jwt_with_header(
                    &json!({"typ": "at+jwt", "alg": "ES256K"}),
                    &key,
                    &claims(&|_| {})
                )
            )),
        ),
        (
            "refresh typ",
            Some(format!(
                "Bearer {}",
                mint_jwt_with_header(
                    &json!({"typ": "refresh+jwt", "alg": "ES256K"}),
                    &key,
                    &claims(&|_| {})
                )
            )),
        ),
        (
            "unsupported alg",
            Some(format!(
                "Bearer {}",
                mint_jwt_with_header(
                    &json!({"typ": "JWT", "alg": "HS256"}),
                    &key,
                    &claims(&|_| {})
                )
            )),
        ),
        (
            "unknown did",
            Some(format!(
                "Bearer {}",
                mint_jwt(
                    Alg::Es256k,
                    &unknown_key,
                    &service_claims(&unknown_did, SERVICE, LIST, 60)
                )
            )),
        ),
        ("replayed jti", Some(format!("Bearer {replayed}"))),
    ];
    let mut messages = std::collections::HashSet::new();
    for (what, header) in cases {
        let (status, body, www) = list_with(&app, header.as_deref()).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert!(www.is_some(), "{what}: WWW-Authenticate is sent");
        assert!(body["error"].is_string(), "{what}: {body}");
        let msg = body["message"].as_str().unwrap().to_string();
        assert!(
            messages.insert(msg.clone()),
            "{what}: message {msg:?} is not its own"
        );
    }
    let got = app.get(LIST, None, &[]).await;
    assert_xrpc_error(&got, 401, "AuthenticationRequired");
    app.stop().await;
}

/// A bearer value that is neither an API token nor shaped like a JWT is told so, not
/// that some JWT has the wrong number of segments.
#[tokio::test]
async fn a_bearer_value_that_is_no_token_says_so() {
    let plc = FakeDidHost::start().await;
    let app = app_with(&plc).await;
    for value in ["hunter2", "PH_abc", "abc.def"] {
        let (status, body, www) = list_with(&app, Some(&format!("Bearer {value}"))).await;
        assert_eq!(status, 401, "{value}: {body}");
        assert!(www.is_some());
        assert_eq!(body["error"], "BadJwt", "{value}");
        assert_eq!(
            body["message"], "bearer token is not an API token (ph_...) or a JWT",
            "{value}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let plc = FakeDidHost::start().await;
    let app = app_with(&plc).await;
    let (info, token) = app
        .store
        .create_token("did:web:zed.example", false, None)
        .await
        .unwrap();
    assert_eq!(app.get(LIST, Some(&token), &[]).await.0, 200);
    assert!(app.store.revoke_token(&info.id).await.unwrap());
    assert_xrpc_error(
        &app.get(LIST, Some(&token), &[]).await,
        401,
        "AuthenticationRequired",
    );
    app.stop().await;
}
