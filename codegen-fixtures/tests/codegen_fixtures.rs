//! Generated code for the edge-case fixture lexicons in `tests/fixtures/codegen/valid`,
//! compiled by this crate's `build.rs` and exercised here: names, boxing, unions, enums,
//! defaults, unknown fields, validation (typed and JSON), method metadata and error enums.

use placehook_codegen_fixtures as fixtures;

use fixtures::io::placehook::fixture::{list, methods, shapes, stream, tree};
use placehook_lexrt::Validate;
use serde_json::json;

#[test]
fn keywords_odd_names_defaults_and_unknown_fields_round_trip() {
    let v = json!({
        "$type": "io.placehook.fixture.tree",
        "type": "oak", "title:lang": "hi", "root": {"value": "r"}, "note": null, "extra": [1]
    });
    let t: tree::Main = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(t.r#type, tree::MainType::Oak);
    assert!(t.self_, "boolean default true is filled");
    assert_eq!(t.r#match, 3, "integer default is filled");
    assert_eq!(t.title_lang, "hi");
    assert_eq!(t.note, Some(None), "explicit null kept apart from absent");
    assert_eq!(t.extra["extra"], json!([1]), "unknown fields are kept");
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(back["extra"], json!([1]));
    assert_eq!(back["note"], json!(null));
    assert_eq!(back["$type"], "io.placehook.fixture.tree");
    assert!(t.validate().is_ok());
    assert!(tree::Main::validate_json(&v).is_ok());
}

#[test]
fn open_enums_keep_unknown_values_and_closed_enums_list_all() {
    let other: tree::MainType = serde_json::from_value(json!("birch")).unwrap();
    assert_eq!(other, tree::MainType::Other("birch".into()));
    assert_eq!(serde_json::to_value(&other).unwrap(), "birch");
    let known: tree::MainType = serde_json::from_value(json!("!weird")).unwrap();
    assert_eq!(known, tree::MainType::Weird);
    let names: Vec<_> = tree::MainKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(names, ["a", "b-c", "1d"]);
    assert!(serde_json::from_value::<tree::MainKind>(json!("zzz")).is_err());
    assert_eq!(tree::PINE, "io.placehook.fixture.tree#pine");
}

#[test]
fn recursive_types_are_boxed_and_validated_deeply() {
    let v = json!({"value": "a", "left": {"value": "b", "left": {"value": "c"}},
                   "children": [{"value": "d"}]});
    let n: tree::Node = serde_json::from_value(v).unwrap();
    // The recursive field is a Box (this line would not compile otherwise).
    let left: Box<tree::Node> = n.left.clone().unwrap();
    assert_eq!(left.left.as_ref().unwrap().value, "c");
    assert!(n.validate().is_ok());
    let too_many = json!({"value": "a", "children": [{"value":"1"},{"value":"2"},{"value":"3"},{"value":"4"},{"value":"5"}]});
    let err = tree::Node::validate_json(&too_many).unwrap_err();
    assert_eq!(err.path, "$.children");
    let typed: tree::Node = serde_json::from_value(too_many).unwrap();
    assert_eq!(typed.validate().unwrap_err().path, "$.children");
}

#[test]
fn unions_dispatch_on_type_and_keep_unknown_members() {
    let v = json!({"open": [{"$type": "io.placehook.fixture.shapes#circle", "r": 2},
                            {"$type": "io.placehook.fixture.shapes#square", "side": 1},
                            {"$type": "com.example.other", "x": 1}]});
    let s: shapes::Shapes = serde_json::from_value(v.clone()).unwrap();
    let open = s.open.as_ref().unwrap();
    assert!(matches!(open[0], shapes::ShapesOpenItem::Circle(ref c) if c.r == 2));
    assert!(matches!(open[2], shapes::ShapesOpenItem::Unknown(_)));
    let back = serde_json::to_value(&s).unwrap();
    assert_eq!(
        back["open"][0]["$type"],
        "io.placehook.fixture.shapes#circle"
    );
    assert_eq!(
        back["open"][2],
        json!({"$type": "com.example.other", "x": 1})
    );
    assert!(shapes::Shapes::validate_json(&v).is_ok());

    let bad_member = json!({"open": [{"$type": "io.placehook.fixture.shapes#circle", "r": 0}]});
    assert_eq!(
        shapes::Shapes::validate_json(&bad_member).unwrap_err().path,
        "$.open[0].r"
    );
    let closed = json!({"closed": {"$type": "com.example.other"}});
    assert!(shapes::Shapes::validate_json(&closed).is_err());
    assert!(serde_json::from_value::<shapes::Shapes>(closed).is_err());
}

#[test]
fn named_string_defs_and_special_types_validate() {
    assert!(shapes::Shapes::validate_json(&json!({"label": "12345678"})).is_ok());
    let long = json!({"label": "123456789"});
    assert_eq!(
        shapes::Shapes::validate_json(&long).unwrap_err().path,
        "$.label"
    );
    let typed: shapes::Shapes = serde_json::from_value(long).unwrap();
    assert!(typed.validate().is_err());
    let ok = json!({"bytes": {"$bytes": "AAEC"}, "link": {"$link": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}});
    assert!(shapes::Shapes::validate_json(&ok).is_ok());
    let typed: shapes::Shapes = serde_json::from_value(ok).unwrap();
    assert_eq!(typed.bytes.as_ref().unwrap().0, vec![0, 1, 2]);
    assert_eq!(typed.maybe, "x", "string default is filled");
    assert!(
        shapes::Shapes::validate_json(&json!({"bytes": {"$bytes": "AAECAw=="}, "x": 1})).is_ok()
    );
    assert!(shapes::Shapes::validate_json(&json!({"bytes": {"$bytes": "AAECAwQ="}})).is_err());
    assert!(shapes::Shapes::validate_json(&json!({"anything": 5})).is_err());
}

#[test]
fn methods_have_kinds_params_bodies_and_error_enums() {
    use placehook_lexrt::{params_from_pairs, XrpcKind};
    assert_eq!(methods::KIND, XrpcKind::Procedure);
    assert_eq!(list::KIND, XrpcKind::Query);
    assert_eq!(stream::KIND, XrpcKind::Subscription);
    assert_eq!(methods::INPUT_ENCODING, Some("application/json"));

    let circle = json!({"$type": "io.placehook.fixture.shapes#circle", "r": 1});
    assert!(methods::validate_input(&circle).is_ok());
    assert!(methods::validate_input(
        &json!({"$type": "io.placehook.fixture.shapes#circle", "r": 0})
    )
    .is_err());
    assert!(
        methods::validate_input(&json!({"r": 1})).is_err(),
        "a union body needs $type"
    );

    let e = methods::Error::Unsquare(Some("corners".into()));
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"error": "Unsquare", "message": "corners"})
    );
    assert_eq!(methods::Error::NAMES, ["TooRound", "Unsquare"]);
    assert_eq!(
        methods::Error::from_name("TooRound", None),
        Some(methods::Error::TooRound(None))
    );

    let pairs = vec![
        ("tags".to_string(), "a".to_string()),
        ("tags".to_string(), "b".to_string()),
        ("limit".to_string(), "7".to_string()),
        ("ignored".to_string(), "x".to_string()),
    ];
    let params = params_from_pairs(&pairs, list::PARAMS).unwrap();
    assert_eq!(params, json!({"tags": ["a", "b"], "limit": 7}));
    assert!(list::validate_params(&params).is_ok());
    assert!(
        list::validate_params(&json!({"limit": 7})).is_err(),
        "tags are required"
    );
    let bad = vec![("limit".to_string(), "7.5".to_string())];
    assert_eq!(
        params_from_pairs(&bad, list::PARAMS).unwrap_err().path,
        "$.limit"
    );
    let flag = vec![("flag".to_string(), "yes".to_string())];
    assert!(params_from_pairs(&flag, list::PARAMS).is_err());

    let tick = json!({"$type": "io.placehook.fixture.stream#tick", "seq": 1});
    assert!(stream::validate_message(&tick).is_ok());
}

#[test]
fn generated_registry_validates_any_def_by_name() {
    let v = json!({"$type": "io.placehook.fixture.tree", "type": "oak", "title:lang": "x", "root": {"value": "r"}});
    assert!(fixtures::validate("io.placehook.fixture.tree", &v)
        .unwrap()
        .is_ok());
    assert!(
        fixtures::validate("io.placehook.fixture.shapes#label", &json!("x"))
            .unwrap()
            .is_ok()
    );
    assert!(
        fixtures::validate("io.placehook.fixture.tree#pine", &json!("x"))
            .unwrap()
            .is_err()
    );
    assert!(fixtures::validate("io.placehook.fixture.nope", &v).is_none());
    assert!(fixtures::validate_record("io.placehook.fixture.tree", &v)
        .unwrap()
        .is_ok());
}

#[test]
fn each_method_is_a_type_gathering_its_module() {
    use placehook_lexrt::{Empty, MethodError, XrpcKind, XrpcMethod};
    fn parts<M: XrpcMethod>() -> (&'static str, &'static str, XrpcKind, Option<&'static str>) {
        (M::NSID, M::PATH, M::KIND, M::INPUT_ENCODING)
    }
    assert_eq!(
        parts::<methods::Methods>(),
        (
            "io.placehook.fixture.methods",
            "/xrpc/io.placehook.fixture.methods",
            XrpcKind::Procedure,
            Some("application/json")
        )
    );
    assert_eq!(
        parts::<list::List>(),
        (
            "io.placehook.fixture.list",
            "/xrpc/io.placehook.fixture.list",
            XrpcKind::Query,
            None
        )
    );
    assert_eq!(<list::List as XrpcMethod>::PARAMS, list::PARAMS);

    // The associated types are the module's own: params, a union input (through its
    // alias), a ref output, the error enum; and `Empty` for what a query lacks.
    let _: <methods::Methods as XrpcMethod>::Params = methods::Params::default();
    let circle = json!({"$type": "io.placehook.fixture.shapes#circle", "r": 1});
    let input: <methods::Methods as XrpcMethod>::Input =
        serde_json::from_value(circle.clone()).unwrap();
    assert!(matches!(input, methods::Input::Circle(_)));
    let _: <methods::Methods as XrpcMethod>::Output = shapes::Shapes::default();
    let _: <list::List as XrpcMethod>::Input = Empty;
    assert_eq!(
        <<methods::Methods as XrpcMethod>::Error as MethodError>::NAMES,
        ["TooRound", "Unsquare"]
    );
    let e = methods::Error::Unsquare(None);
    assert_eq!(
        (MethodError::name(&e), MethodError::message(&e)),
        ("Unsquare", None)
    );

    // Validation is the module's.
    assert!(<methods::Methods as XrpcMethod>::validate_input(&circle).is_ok());
    assert!(<methods::Methods as XrpcMethod>::validate_input(&json!({"r": 1})).is_err());
    assert!(<list::List as XrpcMethod>::validate_params(&json!({"limit": 7})).is_err());
    assert!(<list::List as XrpcMethod>::validate_output(&json!({"n": 1})).is_ok());

    // `Empty` takes anything and gives `{}`.
    let empty: Empty = serde_json::from_value(json!({"x": [1]})).unwrap();
    assert_eq!(serde_json::to_value(empty).unwrap(), json!({}));
}

#[test]
fn constructors_take_the_required_fields_and_default_the_rest() {
    assert_eq!(
        serde_json::to_value(list::Output::new(3)).unwrap(),
        json!({"n": 3})
    );
    let p = list::Params::new(vec!["a".into()]);
    assert_eq!((p.limit, p.flag), (50, None), "lexicon default, absent");
    assert_eq!(methods::Params::default(), methods::Params::new());

    // A record names its collection; optional nullable fields start absent.
    let t = tree::Main::new(
        tree::MainType::Oak,
        "hi".into(),
        tree::Node::new("r".into()),
    );
    assert_eq!(t.note, None);
    assert!((t.self_, t.r#match) == (true, 3), "lexicon defaults");
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["$type"], "io.placehook.fixture.tree");
    assert!(tree::Main::validate_json(&v).is_ok(), "{v}");
    assert_eq!(
        serde_json::from_value::<tree::Main>(v).unwrap(),
        t,
        "round trip"
    );
}
