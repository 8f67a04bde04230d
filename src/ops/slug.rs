//! File names from titles: lower-case ASCII words joined by `-`, with Cyrillic
//! transliterated and common Latin accents dropped.

/// Longest slug, in bytes; longer ones are cut at a word boundary.
pub const MAX_LEN: usize = 60;

/// `"Use PostgreSQL for storage"` → `use-postgresql-for-storage`;
/// `"Выбор базы данных"` → `vybor-bazy-dannykh`. Empty when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let mapped: Option<&str> = if c.is_ascii_alphanumeric() {
            None
        } else {
            Some(translit(c))
        };
        let piece: String = match mapped {
            None => c.to_string(),
            Some(s) => s.to_string(),
        };
        if piece.is_empty() {
            // A letter that is dropped (ъ, ь) does not split a word.
            if !c.is_alphabetic() && !matches!(c, '\'' | '’' | '`') {
                pending_dash = true;
            }
            continue;
        }
        if piece == "-" {
            pending_dash = true;
            continue;
        }
        if pending_dash && !out.is_empty() {
            out.push('-');
        }
        pending_dash = false;
        out.push_str(&piece);
    }
    if out.len() > MAX_LEN {
        let cut = out[..MAX_LEN]
            .rfind('-')
            .filter(|&i| i > 10)
            .unwrap_or(MAX_LEN);
        out.truncate(cut);
    }
    out
}

/// ASCII for one lower-case character: letters transliterated, everything else
/// a word break (`-`) or nothing.
fn translit(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'ō' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        '\'' | '’' | '`' => "",
        _ => "-",
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Use PostgreSQL for storage"),
            "use-postgresql-for-storage"
        );
        assert_eq!(slug("  API v2: /users -- export!  "), "api-v2-users-export");
        assert_eq!(slug("Выбор базы данных"), "vybor-bazy-dannykh");
        assert_eq!(slug("Объём щей"), "obem-shchey");
        assert_eq!(slug("Café déjà vu"), "cafe-deja-vu");
        assert_eq!(slug("Don't panic"), "dont-panic");
        assert_eq!(slug("!!!"), "");
        assert_eq!(slug("日本"), "");
        let long = slug(&"word ".repeat(30));
        assert!(
            long.len() <= super::MAX_LEN && !long.ends_with('-'),
            "{long}"
        );
    }
}
