//! "Did you mean" hints: the known word closest to a misspelt one.

/// The word of `known` closest to `key` by edit distance, when it is close enough to be a typo
/// (at most a third of its length, plus one, away).
pub fn closest<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (edit_distance(key, k), k))
        .filter(|(d, k)| *d <= k.len() / 3 + 1)
        .min()
        .map(|(_, k)| k)
}

/// " did you mean `x`?" for the word of `known` closest to `key` (see [`closest`]); empty
/// otherwise.
pub fn did_you_mean(key: &str, known: &[&str]) -> String {
    closest(key, known.iter().copied())
        .map_or_else(String::new, |k| format!(" did you mean `{k}`?"))
}

/// Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_is_suggested_and_a_far_one_is_not() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("exlude", ["exclude", "farm"]), Some("exclude"));
        assert_eq!(closest("colour", ["exclude", "farm"]), None);
        assert_eq!(did_you_mean("fram", &["farm"]), " did you mean `farm`?");
        assert_eq!(did_you_mean("colour", &["farm"]), "");
    }
}
