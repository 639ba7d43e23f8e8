//! The chat colour, from the author's `place.stream.chat.profile` record (rkey `self`) on
//! their PDS.

use serde_json::Value;
use url::Url;

use super::http::{get_json, xrpc_url, Reply};

/// The collection holding chat profiles.
const COLLECTION: &str = "place.stream.chat.profile";

/// The colour of `did` as `0xRRGGBB`: `Ok(None)` when there is no record, it has no colour,
/// or it is invalid; `Err` when the PDS did not answer usefully.
pub(crate) async fn fetch_color(
    client: &reqwest::Client,
    pds: &Url,
    did: &str,
) -> Result<Option<u32>, String> {
    let query = [("repo", did), ("collection", COLLECTION), ("rkey", "self")];
    let url = xrpc_url(pds, "com.atproto.repo.getRecord", &query)
        .ok_or_else(|| format!("PDS URL {pds} is not http(s)"))?;
    match get_json(client, url).await? {
        Reply::Absent => Ok(None),
        Reply::Json(body) => Ok(body.get("value").and_then(color_of)),
    }
}

/// The colour of a chat profile record, if the record is valid per its lexicon and has one.
pub(crate) fn color_of(record: &Value) -> Option<u32> {
    if !matches!(
        crate::lexicon::validate_record(COLLECTION, record),
        Some(Ok(()))
    ) {
        return None;
    }
    let color = record.get("color")?;
    let channel = |name| color.get(name).and_then(channel_value);
    Some((channel("red")? << 16) | (channel("green")? << 8) | channel("blue")?)
}

/// A colour channel 0-255 (a JSON `2.0` counts as the integer 2, as in the lexicon).
fn channel_value(v: &Value) -> Option<u32> {
    let n = v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    })?;
    u8::try_from(n).ok().map(u32::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(color: Value) -> Value {
        json!({"$type": COLLECTION, "color": color})
    }

    #[test]
    fn packs_rgb_into_rrggbb() {
        let r = record(json!({"red": 0xf8, "green": 0xba, "blue": 0xca}));
        assert_eq!(color_of(&r), Some(0xf8baca));
        let r = record(json!({"red": 0, "green": 0, "blue": 255}));
        assert_eq!(color_of(&r), Some(0x0000ff));
        let r = record(json!({"red": 255.0, "green": 1, "blue": 2}));
        assert_eq!(color_of(&r), Some(0xff0102));
    }

    #[test]
    fn no_colour_in_a_valid_record() {
        assert_eq!(color_of(&json!({"$type": COLLECTION})), None);
        assert_eq!(
            color_of(&json!({"$type": COLLECTION, "selfLabels": ["bot"]})),
            None
        );
    }

    #[test]
    fn invalid_records_are_ignored() {
        for r in [
            record(json!({"red": 256, "green": 0, "blue": 0})),
            record(json!({"red": -1, "green": 0, "blue": 0})),
            record(json!({"red": 1.5, "green": 0, "blue": 0})),
            record(json!({"red": "1", "green": 0, "blue": 0})),
            record(json!({"red": 1, "green": 0})),
            json!({"$type": "place.stream.chat.message", "color": {"red": 1, "green": 2, "blue": 3}}),
            json!({"color": {"red": 1, "green": 2, "blue": 3}}),
            json!("self"),
        ] {
            assert_eq!(color_of(&r), None, "{r}");
        }
    }
}
