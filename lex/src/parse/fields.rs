//! Readers for single fields, each reporting a wrong type at the field's path.

use super::{int_of, Parser};
use serde_json::{Map, Value};

impl Parser<'_> {
    pub(super) fn req_str(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.err(&format!("{path}.{key}"), "must be a string");
                None
            }
            None => {
                self.err(path, format!("missing required field {key:?}"));
                None
            }
        }
    }

    pub(super) fn opt_str(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.err(&format!("{path}.{key}"), "must be a string");
                None
            }
            None => None,
        }
    }

    pub(super) fn opt_bool(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<bool> {
        match obj.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.err(&format!("{path}.{key}"), "must be a boolean");
                None
            }
            None => None,
        }
    }

    pub(super) fn opt_int(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<i64> {
        let v = obj.get(key)?;
        let i = int_of(v);
        if i.is_none() {
            self.err(&format!("{path}.{key}"), "must be an integer");
        }
        i
    }

    pub(super) fn opt_uint(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<u64> {
        let v = obj.get(key)?;
        match int_of(v) {
            Some(i) if i >= 0 => Some(i as u64),
            _ => {
                self.err(&format!("{path}.{key}"), "must be a non-negative integer");
                None
            }
        }
    }

    pub(super) fn opt_list<T>(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
        item: impl Fn(&Value) -> Option<T>,
        what: &str,
    ) -> Option<Vec<T>> {
        let v = obj.get(key)?;
        let list = v.as_array().and_then(|a| a.iter().map(&item).collect());
        if list.is_none() {
            self.err(
                &format!("{path}.{key}"),
                format!("must be an array of {what}"),
            );
        }
        list
    }

    pub(super) fn opt_str_list(
        &mut self,
        path: &str,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Option<Vec<String>> {
        self.opt_list(path, obj, key, |v| v.as_str().map(str::to_owned), "strings")
    }

    pub(super) fn bounds(
        &mut self,
        path: &str,
        min: Option<u64>,
        max: Option<u64>,
        lo: &str,
        hi: &str,
    ) {
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                self.err(path, format!("{lo} is greater than {hi}"));
            }
        }
    }
}
