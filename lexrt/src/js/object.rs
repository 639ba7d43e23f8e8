//! JavaScript property access: what `value[key]` finds besides own properties.

/// A canonical array index: `0` or digits without a leading zero.
pub fn array_index(key: &str) -> Option<usize> {
    let b = key.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    key.parse().ok()
}

/// Methods every JavaScript object inherits from `Object.prototype`. A `match` on the
/// string compiles to a length check first, which keeps the common miss cheap.
pub fn is_object_proto(key: &str) -> bool {
    matches!(
        key,
        "constructor"
            | "hasOwnProperty"
            | "isPrototypeOf"
            | "propertyIsEnumerable"
            | "toLocaleString"
            | "toString"
            | "valueOf"
            | "__defineGetter__"
            | "__defineSetter__"
            | "__lookupGetter__"
            | "__lookupSetter__"
    )
}

/// Methods arrays inherit from `Array.prototype` (Node 20).
pub fn is_array_proto(key: &str) -> bool {
    matches!(
        key,
        "at" | "concat"
            | "copyWithin"
            | "entries"
            | "every"
            | "fill"
            | "filter"
            | "find"
            | "findIndex"
            | "findLast"
            | "findLastIndex"
            | "flat"
            | "flatMap"
            | "forEach"
            | "includes"
            | "indexOf"
            | "join"
            | "keys"
            | "lastIndexOf"
            | "map"
            | "pop"
            | "push"
            | "reduce"
            | "reduceRight"
            | "reverse"
            | "shift"
            | "slice"
            | "some"
            | "sort"
            | "splice"
            | "toReversed"
            | "toSorted"
            | "toSpliced"
            | "unshift"
            | "values"
            | "with"
    )
}
