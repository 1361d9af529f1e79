//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let len = lower.chars().count();
    if len > 64 {
        return None;
    }
    candidates
        .into_iter()
        // A candidate whose length differs by more than the allowed distance cannot match.
        .filter(|c| c.chars().count().abs_diff(len) <= (c.chars().count().max(len) / 3).max(1))
        .map(|c| (c, strsim::damerau_levenshtein(&lower, &c.to_lowercase())))
        .filter(|(c, d)| {
            let longest = c.chars().count().max(lower.chars().count());
            *d <= (longest / 3).max(1) && *d < longest
        })
        .min_by_key(|(c, d)| (*d, *c))
        .map(|(c, _)| c)
}

/// A help line for an unknown name: a known synonym first, then the closest spelling.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: &[&'a str],
    synonyms: &[(&str, &'a str)],
) -> Option<String> {
    let lower = word.to_lowercase();
    if let Some((_, to)) = synonyms.iter().find(|(from, _)| *from == lower) {
        return Some(format!("did you mean `{to}`?"));
    }
    closest(word, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_typos_are_suggested() {
        let keys = ["accepted_values", "required", "unique", "min", "max"];
        assert_eq!(closest("acepted_values", keys), Some("accepted_values"));
        assert_eq!(closest("requird", keys), Some("required"));
        assert_eq!(closest("mx", keys), Some("max"));
        assert_eq!(closest("frobnicate", keys), None);
    }
}
