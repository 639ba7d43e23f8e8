use super::*;

#[tokio::test]
async fn create_list_authenticate_revoke() {
    let (_dir, store) = temp_store().await;
    let (info, secret) = store.create_token(ALICE, true, Some("ci")).await.unwrap();
    assert!(secret.starts_with("ph_") && secret.len() == 3 + 43);
    assert!(secret.starts_with(&info.prefix) && info.prefix.len() == 11);
    assert_eq!(
        (info.did.as_str(), info.producer, info.label.as_deref()),
        (ALICE, true, Some("ci"))
    );
    assert!(!info.is_revoked() && info.last_used_at.is_none());
    let (other, other_secret) = store.create_token(BOB, false, None).await.unwrap();
    assert_ne!(other.id, info.id);
    assert_ne!(other_secret, secret);

    let authed = store.authenticate_token(&secret).await.unwrap().unwrap();
    assert_eq!(authed.id, info.id);
    let first_use = authed.last_used_at.clone().unwrap();
    // Within the minute, authenticating does not write again.
    let again = store.authenticate_token(&secret).await.unwrap().unwrap();
    assert_eq!(again.last_used_at.as_deref(), Some(first_use.as_str()));

    for wrong in [
        "",
        "ph_",
        "nope",
        &secret[..secret.len() - 1],
        &format!("{secret}x"),
    ] {
        assert_eq!(
            store.authenticate_token(wrong).await.unwrap(),
            None,
            "{wrong}"
        );
    }

    let listed = store.list_tokens().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, info.id);
    assert_eq!(listed[0].last_used_at.as_deref(), Some(first_use.as_str()));

    // Revoke by prefix, then again (already revoked) and unknown.
    assert!(store.revoke_token(&info.prefix).await.unwrap());
    assert!(!store.revoke_token(&info.prefix).await.unwrap());
    assert!(!store.revoke_token("missing").await.unwrap());
    assert_eq!(store.authenticate_token(&secret).await.unwrap(), None);
    assert!(store.list_tokens().await.unwrap()[0].is_revoked());
    // Revoke by id.
    assert!(store.revoke_token(&other.id).await.unwrap());
    assert_eq!(store.authenticate_token(&other_secret).await.unwrap(), None);
}

#[tokio::test]
async fn ambiguous_prefix_revokes_nothing() {
    let (_dir, store) = temp_store().await;
    let (a, _) = store.create_token(ALICE, false, None).await.unwrap();
    let (b, b_secret) = store.create_token(ALICE, false, None).await.unwrap();
    // Force a shared prefix (48 random bits make it rare, not impossible).
    let (prefix, id) = (a.prefix.clone(), b.id.clone());
    store
        .sqlite()
        .db()
        .write(move |c| {
            c.execute(
                "UPDATE api_tokens SET prefix = ? WHERE id = ?",
                [&prefix, &id],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(!store.revoke_token(&a.prefix).await.unwrap());
    assert!(store.authenticate_token(&b_secret).await.unwrap().is_some());
    assert!(store.revoke_token(&a.id).await.unwrap());
}

#[tokio::test]
async fn the_secret_never_reaches_the_database_file() {
    let (dir, store) = temp_store().await;
    let mut secrets = Vec::new();
    for i in 0..20 {
        let (_, secret) = store
            .create_token(ALICE, i % 2 == 0, Some("label"))
            .await
            .unwrap();
        store.authenticate_token(&secret).await.unwrap().unwrap();
        secrets.push(secret);
    }
    // Read the WAL before and after closing (a clean close checkpoints it into the file).
    let mut files = Vec::new();
    let dump = |files: &mut Vec<Vec<u8>>| {
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            files.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
    };
    dump(&mut files);
    store.close().await;
    dump(&mut files);
    assert!(files.iter().any(|f| !f.is_empty()));
    for secret in &secrets {
        // The stored prefix is public by design; the rest must be nowhere.
        let hidden = &secret.as_bytes()[11..];
        for f in &files {
            assert!(
                !f.windows(hidden.len()).any(|w| w == hidden),
                "secret found on disk"
            );
        }
    }
}
