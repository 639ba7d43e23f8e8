"""Executable model of @atproto/syntax isDatetimeStringLenient() — the check
behind lexicon `format: "datetime"` — verified against the real code by
tools/ref/model/check_models.mjs.

    valid(s) = iso_datestring_validator(s) OR atproto_strict(s)

Strings are processed as UTF-16 code units (JS semantics): `to_units_str`
turns a str into one Python char per UTF-16 unit (lone surrogates allowed).
"""
import re

# ----------------------------------------------------------------------------
# (1) iso-datestring-validator@2.2.2 isValidISODateString (dist/index.js).
# The JS builds RegExps by pasting a *separator character taken from the
# input* into these templates, unescaped. `SEP` marks the paste points. The
# templates below are the JS sources verbatim except that JS `.` and `$` are
# written as DOT and END (translated below).
# ----------------------------------------------------------------------------
DATE_T = ("^(?!0{4}SEP0{2}SEP0{2})((?=[0-9]{4}SEP(((0[^2])|1[0-2])|02(?=SEP(([0-1][0-9])|2[0-8])))SEP[0-9]{2})"
          "|(?=((([13579][26])|([2468][048])|(0[48]))0{2})|([0-9]{2}((((0|[2468])[48])|[2468][048])|([13579][26])))SEP02SEP29))"
          "([0-9]{4})SEP(?!((0[469])|11)SEP31)((0[1,3-9]|1[0-2])|(02(?!SEP3)))SEP(0[1-9]|[1-2][0-9]|3[0-1])END")
TIME_T = "^([0-1]|2(?=([0-3])|4SEP00))[0-9]SEP[0-5][0-9](SEP([0-5]|6(?=0))[0-9])?(DOT[0-9]{1,9})?END"
PLUS_T = ("^(0(?!(2SEP4)|0SEP3)|1(?=([0-1]|2(?=SEP[04])|[34](?=SEP0))))([03469](?=SEP[03])|[17](?=SEP0)|2(?=SEP[04])"
          "|5(?=SEP[034])|8(?=SEP[04]))SEP([03](?=0)|4(?=5))[05]END")
MINUS_T = "^(0(?=[^0])|1(?=[0-2]))([39](?=SEP[03])|[0-24-8](?=SEP00))SEP[03]0END"

JS_DOT = '[^\n\r\u2028\u2029]'  # JS `.` (no s/u flags): one UTF-16 unit, not a line terminator
JS_END = r'\Z'                   # JS `$` (no m flag): end of input only


class JsSyntaxError(Exception):
    pass


def build(template, sep):
    """Python regex equivalent to JS `new RegExp(template-with-sep)`."""
    if sep in ('*', '+', '?', '(', ')', '['):
        raise JsSyntaxError(sep)            # "Nothing to repeat" / unterminated group/class
    if sep == '\\':
        if template is not MINUS_T:
            raise JsSyntaxError(sep)
        # In MINUS_T a backslash separator turns "\[03]" into literal "[03]"
        # and "\00" into NUL: the input (which contains a backslash) can never match.
        return re.compile(r'(?!)')
    if sep == '.':
        s = JS_DOT
    elif sep == '$':
        s = JS_END
    elif sep in ('^', '|'):
        s = sep                             # start-anchor / alternation, as in JS
    else:
        s = re.escape(sep)                  # literal (incl. ] { } / and lone surrogates)
    p = template.replace('SEP', s).replace('DOT', JS_DOT).replace('END', JS_END)
    return re.compile(p)


def first_non_digit(s):
    for c in s:
        if not ('0' <= c <= '9'):
            return c
    return ''


def time_separator(t):
    """JS: t.match(/([^Z+\\-\\d])(?=\\d+\\1)/)?.[0] ?? '' """
    n = len(t)
    for i, c in enumerate(t):
        if c in 'Z+-' or '0' <= c <= '9':
            continue
        j = i + 1
        while j < n and '0' <= t[j] <= '9':
            j += 1
        if j > i + 1 and j < n and t[j] == c:
            return c
    return ''


def iso_valid_time(e, t):
    r = build(TIME_T, t)
    if not any(ch in 'Z+-' for ch in e):
        return r.search(e) is not None
    if e.endswith('Z'):
        return r.search(e.replace('Z', '', 1)) is not None
    is_plus = '+' in e
    parts = re.split('[+-]', e)
    u = parts[0]
    if r.search(u) is None:
        return False
    if len(parts) < 2:
        return False                        # JS tests the string "undefined": never matches
    d = parts[1]
    return build(PLUS_T if is_plus else MINUS_T, first_non_digit(d)).search(d) is not None


def iso_datestring_valid(s):
    try:
        parts = s.split('T')
        date = parts[0]
        time = parts[1] if len(parts) > 1 else None   # parts[2:] are ignored!
        date_ok = build(DATE_T, first_non_digit(date)).search(date) is not None
        if not time:
            return False
        tsep = time_separator(time)
        return date_ok and iso_valid_time(time, tsep)
    except JsSyntaxError:
        return False


# ----------------------------------------------------------------------------
# (2) @atproto/syntax isDatetimeString (strict atproto datetime).
# ----------------------------------------------------------------------------
STRICT = re.compile(
    r'^(?P<Y>[0-9]{4})-(?P<M>0[1-9]|1[012])-(?P<D>[0-2][0-9]|3[01])T(?P<h>[0-1][0-9]|2[0-3]):(?P<m>[0-5][0-9])'
    r':(?P<s>[0-5][0-9]|60)(?P<f>\.[0-9]+)?(?P<tz>Z|(?P<sign>[+-])(?P<oh>[0-1][0-9]|2[0-3]):(?P<om>[0-5][0-9]))\Z')


def days_from_civil(y, m, d):
    # proleptic Gregorian, day overflow allowed (V8 accepts 2023-02-31 = Mar 3)
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_year_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + 3 if mp < 10 else mp - 9
    return y + (m <= 2)


def atproto_strict_valid(s):
    if len(s) > 64:                      # UTF-16 length (s is already in units)
        return False
    if s.endswith('-00:00'):
        return False
    mt = STRICT.match(s)
    if not mt:
        return False
    # V8's Date parser: day 00 and second 60 are Invalid Date; days 29-31 roll over.
    if mt['D'] == '00' or mt['s'] == '60':
        return False
    secs = (days_from_civil(int(mt['Y']), int(mt['M']), int(mt['D'])) * 86400
            + int(mt['h']) * 3600 + int(mt['m']) * 60 + int(mt['s']))
    if mt['sign']:
        off = int(mt['oh']) * 3600 + int(mt['om']) * 60
        secs -= off if mt['sign'] == '+' else -off
    # fractional seconds only truncate to ms: they can't change the year here
    year = civil_year_from_days(secs // 86400)
    return 0 <= year <= 9999


def to_units_str(s):
    b = s.encode('utf-16-le', 'surrogatepass')
    return ''.join(chr(b[i] | (b[i + 1] << 8)) for i in range(0, len(b), 2))


def datetime_valid(s):
    u = to_units_str(s)
    return iso_datestring_valid(u) or atproto_strict_valid(u)


if __name__ == '__main__':
    import json, sys
    for line in sys.stdin:
        print('true' if datetime_valid(json.loads(line)) else 'false')
