//! Text helpers shared by every area: folding for diacritics-insensitive search and validated
//! free-text fields.

use crate::error::{AppError, AppResult, Msg};

/// Folds text for search: Vietnamese tone and vowel marks removed (`Triệu Sơn` → `trieu son`),
/// `đ` → `d`, lower case, runs of white space collapsed to one space.
pub fn fold(text: &str) -> String {
    // Words are split before transliterating: deunicode drops some white space (tabs).
    let words: Vec<String> = text
        .split_whitespace()
        .map(|word| deunicode::deunicode(word).to_lowercase())
        .collect();
    words
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `LIKE` pattern matching `needle` anywhere, with `%`, `_` and the escape character itself
/// escaped by `\`.
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `column LIKE '%needle%'` with wildcards in `needle` escaped (the same on SQLite and
/// PostgreSQL).
///
/// The pattern is written into the statement as a quoted literal (sea-query escapes it), not
/// bound as a parameter: PostgreSQL plans a prepared statement once for any parameter after a few
/// runs, and a plan that does not know the pattern cannot use the trigram indexes, so every
/// search scanned its table. With the pattern in the text, each search is planned for itself
/// (and repeated searches reuse their plan from the statement cache).
pub fn column_contains(
    column: impl sea_orm::sea_query::IntoColumnRef,
    needle: &str,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{BinOper, Expr, ExprTrait};
    let pattern = Expr::Constant(contains_pattern(needle).into()).binary(
        BinOper::Escape,
        Expr::Constant(sea_orm::Value::from('\\'.to_string())),
    );
    Expr::col(column).binary(BinOper::Like, pattern)
}

/// Whether one line of text is a security-classification stamp (dấu chỉ độ mật, Decree
/// 26/2020): the line is just `MẬT`, `TỐI MẬT` or `TUYỆT MẬT`, or begins with `Độ mật:`, in
/// any case, with precomposed or decomposed Vietnamese letters, and possibly framed by marks
/// such as `**`, brackets or dashes. Words in a sentence ("giữ bí mật thông tin") are not.
pub fn is_classified_stamp(line: &str) -> bool {
    use unicode_normalization::UnicodeNormalization as _;
    let normalized: String = line.nfc().collect::<String>().to_lowercase();
    let words: Vec<&str> = normalized
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    let framing = |c: char| !c.is_alphanumeric() && c != ':';
    let core = joined.trim_matches(framing).trim();
    matches!(core, "mật" | "tối mật" | "tuyệt mật")
        || core
            .strip_prefix("độ mật")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

/// Refuses text carrying a classification stamp on any of its lines: state secrets are never
/// stored in this system. The error names `field`.
pub fn refuse_classified_text(
    field: impl Into<std::borrow::Cow<'static, str>>,
    text: &str,
) -> AppResult<()> {
    if text.lines().any(is_classified_stamp) {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                "Nội dung mang dấu độ mật (Mật, Tối mật, Tuyệt mật): không được lưu thông tin thuộc bí mật nhà nước trên hệ thống này",
                "The text carries a classification stamp (Mật, Tối mật, Tuyệt mật): state secrets are never stored in this system",
            ),
        ));
    }
    Ok(())
}

/// Longest text a search filter accepts, in characters: far beyond any name or phrase, and short
/// enough that a pattern stays cheap for the database.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Checks the text of a search filter before it goes near SQL: at most [`MAX_SEARCH_CHARS`]
/// characters and no control characters (NUL, line breaks, tabs…), which no name contains and
/// PostgreSQL cannot store. The error names `field`.
pub fn search(field: &'static str, raw: Option<String>) -> AppResult<Option<String>> {
    let Some(value) = raw else {
        return Ok(None);
    };
    let len = value.chars().count();
    if len > MAX_SEARCH_CHARS {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                format!("Nội dung tìm kiếm dài quá {MAX_SEARCH_CHARS} ký tự (hiện có {len})"),
                format!("Search text longer than {MAX_SEARCH_CHARS} characters ({len})"),
            ),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                "Nội dung tìm kiếm chứa ký tự điều khiển",
                "Search text contains control characters",
            ),
        ));
    }
    Ok(Some(value))
}

/// Trims `raw` and checks it is a single line of 1 to `max` characters with no control
/// characters; the error names `field`.
pub fn required_line(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(
            field,
            Msg::new("Không được để trống", "Must not be empty"),
        ));
    }
    let len = value.chars().count();
    if len > max {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                format!("Dài quá {max} ký tự (hiện có {len})"),
                format!("Longer than {max} characters ({len})"),
            ),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                "Chứa ký tự điều khiển hoặc xuống dòng",
                "Contains control characters or line breaks",
            ),
        ));
    }
    Ok(value.to_owned())
}

/// Checks an e-mail address's shape (`local@domain.tld`, no spaces, at most 254 characters).
pub fn email(field: &'static str, raw: &str) -> AppResult<String> {
    let value = required_line(field, raw, 254)?;
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                "Địa chỉ thư điện tử không hợp lệ",
                "Not a valid e-mail address",
            ),
        ));
    }
    Ok(value.to_lowercase())
}

/// Checks a phone number: digits with optional `+` prefix, spaces, dots, dashes and parentheses;
/// 8 to 15 digits.
pub fn phone(field: &'static str, raw: &str) -> AppResult<String> {
    let value = required_line(field, raw, 30)?;
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value.char_indices().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    if !allowed || !(8..=15).contains(&digits) {
        return Err(AppError::bad_input(
            field,
            Msg::new(
                "Số điện thoại không hợp lệ (8–15 chữ số)",
                "Not a valid phone number (8–15 digits)",
            ),
        ));
    }
    Ok(value)
}

/// Checks a web address: `http://` or `https://`, no spaces, at most 500 characters.
pub fn url(field: &'static str, raw: &str) -> AppResult<String> {
    let value = required_line(field, raw, 500)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.contains(char::is_whitespace) => Ok(value),
        _ => Err(AppError::bad_input(
            field,
            Msg::new(
                "Địa chỉ web phải bắt đầu bằng http:// hoặc https://",
                "A web address must start with http:// or https://",
            ),
        )),
    }
}

/// Applies `parse` to an optional value.
pub fn optional<T>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> AppResult<T>,
) -> AppResult<Option<T>> {
    raw.map(parse).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_vietnamese_marks_and_d_bar() {
        assert_eq!(fold("UBND huyện Triệu Sơn"), "ubnd huyen trieu son");
        assert_eq!(fold("Đài  Phát thanh\tĐà Nẵng"), "dai phat thanh da nang");
        assert_eq!(
            fold("Sở Văn hóa, Thể thao và Du lịch"),
            "so van hoa, the thao va du lich"
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn search_patterns_are_quoted_literals() {
        use sea_orm::sea_query::{
            Alias, Asterisk, PostgresQueryBuilder, Query, SqliteQueryBuilder,
        };
        let query = Query::select()
            .column(Asterisk)
            .from(Alias::new("t"))
            .and_where(column_contains(Alias::new("name"), "o'neil 50%\\"))
            .to_owned();
        let (sql, values) = query.build(PostgresQueryBuilder);
        assert!(values.0.is_empty(), "bound: {values:?}");
        assert_eq!(
            sql,
            r#"SELECT * FROM "t" WHERE "name" LIKE E'%o\'neil 50\\%\\\\%' ESCAPE E'\\'"#
        );
        assert_eq!(
            query.to_string(SqliteQueryBuilder),
            r#"SELECT * FROM "t" WHERE "name" LIKE '%o''neil 50\%\\%' ESCAPE '\'"#
        );
    }

    #[test]
    fn classification_stamps_are_recognised_in_any_form() {
        let decomposed = "M\u{0041}\u{0323}\u{0302}T"; // "MẬT" as A + dot below + circumflex
        assert_ne!(decomposed, "MẬT");
        for stamp in [
            "MẬT",
            "  tối mật ",
            "TUYỆT  MẬT",
            "**MẬT**",
            "[Tối Mật]",
            "Độ mật: Mật",
            "ĐỘ MẬT : TỐI MẬT",
            decomposed,
        ] {
            assert!(is_classified_stamp(stamp), "{stamp:?}");
        }
        for ordinary in [
            "Giữ bí mật thông tin cá nhân của người dân.",
            "bí mật",
            "Mát",
            "Bảo mật tài khoản",
            "mật khẩu",
        ] {
            assert!(!is_classified_stamp(ordinary), "{ordinary:?}");
        }
        assert!(refuse_classified_text("body", "Báo cáo\nMẬT\nNội dung").is_err());
        assert!(refuse_classified_text("body", "Giữ bí mật nhà nước.").is_ok());
    }

    #[test]
    fn search_text_is_bounded_and_printable() {
        assert_eq!(search("filter.search", None).ok(), Some(None));
        assert!(search("filter.search", Some("a\0b".into())).is_err());
        assert!(search("filter.search", Some("a\tb".into())).is_err());
        assert!(search("filter.search", Some("x".repeat(MAX_SEARCH_CHARS + 1))).is_err());
        let longest = "ệ".repeat(MAX_SEARCH_CHARS);
        assert_eq!(
            search("filter.search", Some(longest.clone())).ok(),
            Some(Some(longest))
        );
    }

    #[test]
    fn required_line_rejects_empty_long_and_multiline_values() {
        assert!(required_line("name", "   ", 10).is_err());
        assert!(required_line("name", &"a".repeat(11), 10).is_err());
        assert!(required_line("name", "a\nb", 10).is_err());
        assert_eq!(
            required_line("name", "  Sở  ", 10).ok().as_deref(),
            Some("Sở")
        );
    }

    #[test]
    fn contact_shapes_are_checked() {
        assert!(email("email", "stttt@thanhhoa.gov.vn").is_ok());
        assert!(email("email", "not-an-address").is_err());
        assert!(email("email", "a@b").is_err());
        assert!(phone("phone", "0237 3 852 410").is_ok());
        assert!(phone("phone", "+84 237 3852410").is_ok());
        assert!(phone("phone", "12ab5678").is_err());
        assert!(url("website", "https://stttt.thanhhoa.gov.vn").is_ok());
        assert!(url("website", "javascript:alert(1)").is_err());
    }
}
